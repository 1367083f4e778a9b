"""The seed letter, Công văn 960/SGDĐT-CNTTTBT of 13 August 2018, as a printable document.

Content exactly as ``shared/seed/cv-960-SGDDT-CNTTTBT-2018.md``, except the symbol: the paper reads
"960 /SGDDĐT", a typing slip; the register's form is ``960/SGDĐT-CNTTTBT``. The paper's page break
("…hoàn thiện cơ / sở dữ liệu…") falls inside one paragraph, which is kept whole here.
"""

from __future__ import annotations

import datetime

from documents.rendering.printable import Authority, Paragraph, Printable, Run, Signature

SEED_SYMBOL = "960/SGDĐT-CNTTTBT"

SUMMARY = (
    "V/v thực hiện chương trình Vnedu ở các trường phổ thông và tăng "
    "cường quản lý, điều hành giáo dục từ năm học 2018-2019"
)
#: The summary's lines as the paper breaks them (the layout wraps it to the same lines).
SUMMARY_LINES = (
    "V/v thực hiện chương trình Vnedu",
    "ở các trường phổ thông và tăng",
    "cường quản lý, điều hành giáo dục",
    "từ năm học 2018-2019",
)
RECIPIENTS = (
    "- Trưởng phòng Phòng GDĐT huyện, thị xã, thành phố;",
    "- Hiệu trưởng các trường THPT.",
)
COPIES_TO = (
    "- Như trên;",
    "- VNPT Đồng Tháp (để phối hợp);",
    "- Lưu: VT, VH, 07b.",
)


def _p(*runs: str | Run) -> Paragraph:
    return Paragraph(runs=tuple(Run(run) if isinstance(run, str) else run for run in runs))


def _b(text: str) -> Run:
    return Run(text, bold=True)


def _i(text: str) -> Run:
    return Run(text, italic=True)


BODY = (
    _p(
        "Tiếp tục thực hiện Công văn số 199/UBND-VX của UBND tỉnh Đồng Tháp ngày 03 tháng 8 năm 2015 về việc “",
        _i("Triển khai đại trà chương trình Vnedu cho các trường phổ thông"),
        "”.",
    ),
    _p(
        "Căn cứ Công văn số 599/CV-TTKD.DTP ngày 08/8/2018 của Trung tâm kinh doanh VNPT-Đồng Tháp về việc "
        "khai thác sử dụng phần mềm Vnedu và các chương trình phần mềm hỗ trợ giáo dục."
    ),
    _p(
        "Qua 3 năm sử dụng chính thức phần mềm ",
        _b("Vnedu"),
        " ở các trường phổ thông đạt được kết quả tốt trong quản lý điều hành giáo dục trực tuyến như: "
        "số liên lạc điện tử (",
        _i("nhắn tin điểm số, học lực, hạnh kiểm..."),
        "), thống kê, phân tích số liệu, thực hiện số hoá hồ sơ quản lý giáo dục... Hệ thống phần mềm Vnedu "
        "hoạt động ổn định, có nhiều công cụ hỗ trợ quản lý, nâng cấp phục vụ tốt công tác quản lý, điều hành "
        "và giảng dạy. Phần mềm Vnedu đảm bảo được: tính an toàn và bảo mật thông tin, đạt hiệu quả cao, giảm "
        "bớt hồ sơ sổ sách cho giáo viên để tập trung công tác chuyên môn nhằm nâng cao chất lượng dạy và học, "
        "phần mềm này được sự ủng hộ nhiệt tình của cán bộ quản lý, giáo viên và cha mẹ học sinh.",
    ),
    _p(
        "Kết quả năm học 2017-2018, số trường THPT tham gia sử dụng phần mềm Vnedu là: 40/43 (",
        _i("đạt tỉ lệ 93,1%"),
        "), trường THCS là: 126/141 (",
        _i("đạt tỉ lệ 89,36%"),
        ") và trường tiểu học là 40/314 (",
        _i("đạt tỉ lệ 12,7%"),
        ").",
    ),
    _p(
        "Từ những kết quả và đánh giá nêu trên, Sở Giáo dục và Đào tạo (GDĐT) chỉ đạo các đơn vị trường học "
        "thực hiện nội dung, cụ thể như sau:"
    ),
    _p(
        _b("1."),
        " 100% các trường THCS, THPT có trách nhiệm khai thác sử dụng phần mềm ",
        _b("Vnedu"),
        " để nhập các thông tin có liên quan đến học sinh lên cơ sở dữ liệu tập trung của phần mềm. Việc này "
        "nhằm mục đích tạo một cơ sở dữ liệu thống nhất toàn ngành (",
        _i("Sở GDĐT, phòng GDĐT làm chủ cơ sở dữ liệu này"),
        ") để phục vụ công tác khai thác, thống kê, phân tích số liệu; từ đó có những đề xuất những hoạch định, "
        "chiến lược phát triển giáo dục phù hợp.",
    ),
    _p(
        "Đối với các trường tiểu học, mầm non trong thời gian tới cần tích cực khai thác, sử dụng phần mềm "
        "Vnedu để giám sát tình hình học tập của học sinh Tiểu học; rèn luyện sức khoẻ, chế độ ăn uống... của "
        "học sinh mầm non và hoàn thiện cơ sở dữ liệu toàn ngành như trong năm học vừa qua có 12,7% ở trường "
        "Tiểu học tham gia chương trình Vnedu."
    ),
    _p(
        _b("2."),
        " Khuyến khích 100% các trường phổ thông tiếp tục vận động cha mẹ học sinh (với hình thức tự nguyện, "
        "xã hội hóa) tham gia dịch vụ ",
        _i("Sổ liên lạc điện tử"),
        " trên phần mềm ",
        _b("Vnedu"),
        " (",
        _i("chi phí là 60.000 đồng/1 học sinh/1 năm học"),
        ") để cha mẹ học sinh nắm được kịp thời thông tin: học tập, rèn luyện phẩm chất đạo đức, kỹ năng sống, "
        "sự tiến bộ của học sinh... theo từng tháng, học kỳ và năm học.",
    ),
    _p(
        "Trường hợp cha mẹ học sinh không tham gia sử dụng dịch vụ sổ liên lạc điện tử trên phần mềm thì cuối "
        "mỗi tháng, học kỳ, năm học vẫn được hiệu trưởng các trường phổ thông thông báo toàn bộ kết quả rèn "
        "luyện, học tập, điểm số chi tiết các môn học của học sinh thông qua website (",
        _i("nếu có"),
        ") của trường phổ thông và cung cấp đầy đủ các biểu mẫu chi tiết về thông tin: học lực, hạnh kiểm, "
        "điểm số các môn học cho cha mẹ học sinh theo đúng qui định của Bộ GDĐT.",
    ),
    _p(
        _b("3."),
        " Các trường phổ thông cần tăng cường thực hiện Tin học hóa các loại hồ sơ quản lý của trường học và "
        "hồ sơ chuyên môn của giáo viên khi khai thác sử dụng phần mềm Vnedu.",
    ),
    _p(
        _b("4."),
        " Triển khai thử nghiệm phần mềm quản lý văn phòng điện tử (",
        _b("VNPT-iOffice"),
        ") từ Sở GDĐT đến trường THPT và các đơn vị trực thuộc phòng GDĐT Thành phố Cao Lãnh.",
    ),
    _p(
        "Sở GDĐT yêu cầu thủ trưởng các đơn vị thực hiện nghiêm túc và đầy đủ các yêu cầu của tinh thần công văn này (",
        _i("có đính kèm thông tin Công văn 611/CV-TTKD.DTP của VNPT Đồng Tháp"),
        "). Trong quá trình triển khai thực hiện nếu có gì vướng mắc thông tin về Sở GDĐT (phòng Công nghệ "
        "thông tin-Thiết bị-Thư viện, tel: 0277.3876375) đề kịp thời hướng dẫn và giải quyết./.",
    ),
)


def seed_letter(*, number_symbol: str | None = SEED_SYMBOL, **changes: object) -> Printable:
    """The seed letter; ``changes`` override fields for variants (urgency, signature, a draft)."""
    fields: dict[str, object] = {
        "parent_body": "UBND TỈNH ĐỒNG THÁP",
        "issuing_body": "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "number_symbol": number_symbol,
        "draft_symbol_suffix": "SGDĐT-CNTTTBT",
        "place": "Đồng Tháp",
        "date": datetime.date(2018, 8, 13),
        "summary": SUMMARY,
        "recipients": RECIPIENTS,
        "body": BODY,
        "signature": Signature(position="GIÁM ĐỐC", signer_name="Trần Thanh Liêm", authority=Authority.DIRECT),
        "copies_to": COPIES_TO,
    }
    fields.update(changes)
    return Printable(**fields)
