"""Rendering an issued document for print: PDF (WeasyPrint, PDF/A-3b for the archive) and .docx.

Input is a :class:`~documents.rendering.printable.Printable`, plain data with no models behind it.
``render_pdf`` lives in :mod:`documents.rendering.pdf` and ``render_docx`` in
:mod:`documents.rendering.docx`; they are not imported here because WeasyPrint takes most of a
second to import, a cost only the processes that print should pay.
"""
