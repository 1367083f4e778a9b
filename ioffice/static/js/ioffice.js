/* Page behaviour that would otherwise sit in on*="" attributes, which the Content-Security-Policy refuses. */
(function () {
  "use strict";

  // <button data-print> prints the page (phiếu gửi, registers).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
