"""One ``t()`` helper for every label: Vietnamese first, English second; Vietnamese number formats.

    >>> t("kpi.drug_free", "vi")
    'Xã không ma túy'
    >>> fmt_pct(28.2258, "vi"), fmt_pct(28.2258, "en")
    ('28,2%', '28.2%')

Strings live in :data:`STRINGS` as key -> (vi, en). A missing English text falls back to the
Vietnamese one; a missing key raises, so typos are caught by tests.
"""

from __future__ import annotations

import datetime as dt

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("Bản đồ xã không ma túy tỉnh Tuyên Quang", "Tuyên Quang drug-free communes map"),
    "app.subtitle": ("124 đơn vị hành chính cấp xã (từ 01/07/2025)",
                     "124 commune-level units (from 1 July 2025)"),
    "demo.mark": ("DỮ LIỆU MINH HỌA", "DỮ LIỆU MINH HỌA (illustrative data)"),
    "demo.notice": ("Dữ liệu trạng thái trên bản đồ là dữ liệu minh họa do máy sinh ra, không phải số liệu thật.",
                    "The status data shown is machine-generated illustrative data, not real figures."),
    "lang.label": ("Ngôn ngữ", "Language"),
    "map.communes": ("Xã, phường", "Communes and wards"),
    "map.load_failed": ("Không tải được dữ liệu bản đồ từ máy chủ (mất kết nối, hoặc máy chủ vừa khởi động lại).",
                        "The map's data could not be loaded from the server (connection lost, or the server "
                        "restarted)."),
    "map.retry": ("Tải lại bản đồ", "Load the map again"),
    "map.province": ("Ranh giới tỉnh", "Province boundary"),
    "map.border": ("Biên giới Việt – Trung (suy ra từ bản đồ hành chính)",
                   "Vietnam–China border (derived from the administrative map)"),
    "map.roads": ("Quốc lộ (tham khảo)", "National roads (indicative)"),
    "map.former_districts": ("Huyện cũ (trước 01/07/2025)", "Former districts (before 1 July 2025)"),
    "map.routes": ("Tuyến trọng điểm", "Priority routes"),
    "map.basemap": ("Nền bản đồ (cần mạng)", "Basemap (needs internet)"),
    "field.name": ("Tên", "Name"),
    "field.code": ("Mã", "Code"),
    "field.kind": ("Loại", "Type"),
    "field.population": ("Dân số", "Population"),
    "field.area": ("Diện tích (km²)", "Area (km²)"),
    "field.old_province": ("Tỉnh cũ", "Former province"),
    "field.former_districts": ("Huyện cũ", "Former districts"),
    "nav.overview": ("Tổng quan", "Overview"),
    "nav.sources": ("Nguồn dữ liệu", "Data sources"),
    "sources.title": ("Nguồn dữ liệu", "Data sources"),
    "sources.built": ("Dữ liệu ranh giới dựng lúc", "Boundary data built at"),
    "kpi.drug_free": ("Xã không ma túy", "Drug-free communes"),
    "kpi.target": ("Chỉ tiêu năm", "This year's target"),
    "kpi.key": ("Xã trọng điểm phức tạp", "Key complex communes"),
    "kpi.routes": ("Tuyến trọng điểm", "Priority routes"),
    "kpi.needed_2030": ("Còn cần đến 2030", "Still needed by 2030"),
    "sheet.title": ("Tình hình xây dựng xã không ma túy năm {year}", "Drug-free communes, {year}"),
    "sheet.year": ("Năm", "Year"),
    "sheet.date": ("Ngày in", "Printed"),
    "sheet.legend": ("Chú giải", "Legend"),
    "sheet.sources": ("Nguồn dữ liệu", "Data sources"),
    # maps (geo/maps/*)
    "map.tip.category": ("Phân loại", "Category"),
    "map.tip.class": ("Trọng điểm phức tạp", "Key complex area"),
    "map.tip.class_n": ("Loại {n}", "Class {n}"),
    "map.tip.decision": ("Quyết định công nhận", "Recognition decision"),
    "map.tip.dated": ("ngày", "of"),
    "map.tip.routes": ("Tuyến trọng điểm", "Priority routes"),
    "map.tip.note": ("Ghi chú", "Note"),
    "map.tip.change": ("Thay đổi {a}→{b}", "Change {a}→{b}"),
    "map.route.id": ("Mã tuyến", "Route id"),
    "map.route.corridor": ("Hành lang", "Corridor"),
    "map.border.short": ("Biên giới Việt Nam – Trung Quốc", "Vietnam–China border"),
    "map.border.derived": ("Suy ra từ ranh giới hành chính, không phải đường biên giới đo đạc chính thức.",
                           "Derived from the administrative boundaries, not a surveyed boundary line."),
    "map.border.legend": ("Biên giới Việt – Trung (suy ra, không đo đạc)",
                          "Vietnam–China border (derived, not surveyed)"),
    "legend.title": ("Phân loại địa bàn cấp xã", "Commune status"),
    "legend.total": ("Tổng số đơn vị", "Total units"),
    "legend.year": ("Năm {year}", "Year {year}"),
    "legend.route": ("Các xã trên tuyến {name}", "Communes on route {name}"),
    "legend.key": ("Xã trọng điểm phức tạp ({n})", "Key complex communes ({n})"),
    "legend.commune": ("{name} và các xã giáp ranh", "{name} and its neighbours"),
    "legend.change": ("Thay đổi {a} → {b}", "Change {a} → {b}"),
    # standalone HTML export (geo/export/html.py)
    "export.title.overview": ("Bản đồ xã không ma túy tỉnh Tuyên Quang năm {year}",
                              "Tuyên Quang drug-free communes, {year}"),
    "export.title.route": ("Tuyến trọng điểm {name} – năm {year}", "Priority route {name}, {year}"),
    "export.title.key": ("Xã trọng điểm phức tạp về ma túy năm {year}", "Key complex communes, {year}"),
    "export.title.commune": ("{name} – năm {year}", "{name}, {year}"),
    "export.title.change": ("Thay đổi {a} → {b}", "Change {a} → {b}"),
    "export.year": ("Năm số liệu", "Data year"),
    "export.date": ("Ngày xuất", "Exported"),
    "export.sources": ("Nguồn dữ liệu", "Data sources"),
    "export.offline": ("Tệp độc lập, mở được không cần mạng.", "Self-contained file, works offline."),
    # --- pages (lead) ---
    "ui.year": ("Năm", "Year"),
    "nav.routes": ("Tuyến trọng điểm", "Priority routes"),
    "nav.key": ("Xã trọng điểm", "Key communes"),
    "nav.profile": ("Hồ sơ xã", "Commune profile"),
    "nav.progress": ("Tiến độ", "Progress"),
    "nav.present": ("Trình chiếu", "Presentation"),
    "nav.import": ("Nhập dữ liệu", "Import data"),
    "nav.revisions": ("Lịch sử thay đổi", "Revision history"),
    "nav.admin": ("Quản trị", "Administration"),
    "nav.section.maps": ("Bản đồ", "Maps"),
    "nav.section.data": ("Dữ liệu", "Data"),
    "dl.title": ("Tải bản đồ, tờ trình", "Download map or briefing sheet"),
    "dl.html": ("Bản đồ HTML (dùng không cần mạng)", "HTML map (works offline)"),
    "dl.pdf": ("Tờ trình PDF", "Briefing sheet (PDF)"),
    "dl.png": ("Tờ trình PNG", "Briefing sheet (PNG)"),
    "dl.paper": ("Khổ giấy (ngang)", "Paper (landscape)"),
    "dl.excel": ("Tải bảng Excel", "Download Excel table"),
    "dl.busy": ("Đang tạo tệp…", "Making the file…"),
    "dl.err.net": ("Mất kết nối tới máy chủ: chưa tải được tệp. Hãy thử lại sau ít phút.",
                   "The connection to the server was lost: the file was not downloaded. Try again in a few minutes."),
    "dl.err.http": ("Máy chủ không trả tệp (mã lỗi {status}). Hãy tải lại trang (F5) rồi bấm lại.",
                    "The server sent no file (error {status}). Reload the page (F5) and click again."),
    "dl.err.not_served": ("Máy chủ này chạy không có đường tải tệp của ứng dụng: hãy chạy ứng dụng bằng "
                          "“make run” (python -m ui.serve) thay cho “streamlit run app.py”.",
                          "This server runs without the app's download address: start the app with "
                          "“make run” (python -m ui.serve), not “streamlit run app.py”."),
    "dl.err.expired": ("Liên kết tải tệp đã hết hạn (phiên làm việc đã kết thúc, đã đăng xuất hoặc máy chủ vừa "
                       "khởi động lại). Hãy tải lại trang (F5) rồi bấm lại.",
                       "This download link has expired (the session ended, you logged out or the server restarted). "
                       "Reload the page (F5) and click again."),
    "dl.err.unknown": ("Trang này không có tệp tải “{item}”. Hãy tải lại trang (F5) rồi bấm lại.",
                       "This page offers no file “{item}”. Reload the page (F5) and click again."),
    "dl.err.paper": ("Khổ giấy “{got}” không hợp lệ: chỉ có A4 hoặc A3. Không tạo tệp nào.",
                     "Paper size “{got}” is not valid: only A4 or A3. No file was made."),
    "dl.err.failed": ("Không tạo được tệp {name}: {why}. Dữ liệu không thay đổi; hãy báo quản trị viên nếu lỗi lặp lại.",
                      "Could not make {name}: {why}. No data changed; tell the administrator if this happens again."),
    "dl.err.method": ("Địa chỉ này chỉ dùng để tải tệp (GET).", "This address only serves downloads (GET)."),
    "err.bad_year": ("Tham số năm trên địa chỉ không hợp lệ: «{value}». Các năm có dữ liệu: {years}.",
                     "The year in the address is not valid: «{value}». Years with data: {years}."),
    "err.bad_route": ("Không có tuyến «{value}» (tham số ?tuyen= trên địa chỉ). Các tuyến: {ids}.",
                      "There is no route «{value}» (?tuyen= in the address). Routes: {ids}."),
    "err.bad_commune": ("Không tìm thấy xã «{value}» (tham số ?xa= trên địa chỉ cần mã 5 chữ số, ví dụ 00694).",
                        "No commune «{value}» (?xa= in the address needs a 5-digit code, e.g. 00694)."),
    "field.category": ("Tình trạng", "Status"),
    "field.class": ("Loại", "Class"),
    "field.decision": ("Quyết định công nhận", "Recognition decision"),
    "field.note": ("Ghi chú", "Note"),
    "field.users_per_1000": ("Nghiện + sử dụng /1.000 dân", "Addicts + users per 1,000"),
    "field.offenders_per_1000": ("Đối tượng bị bắt /1.000 dân", "Offenders per 1,000"),
    "field.routes": ("Tuyến", "Routes"),
    "field.users_per_1000_short": ("SD/1.000 dân", "Users/1,000"),
    "field.warnings": ("Cảnh báo số liệu", "Data warnings"),
    "filter.title": ("Bộ lọc", "Filters"),
    "filter.category": ("Tình trạng", "Status"),
    "filter.class": ("Loại địa bàn trọng điểm", "Key area class"),
    "filter.route": ("Tuyến", "Route"),
    "filter.class_value": ("Loại {c}", "Class {c}"),
    "filter.clear": ("Bỏ lọc", "Clear filters"),
    "filter.showing": ("Đang làm nổi {n}/{total} xã theo bộ lọc; các xã khác được làm mờ.",
                       "Highlighting {n} of {total} communes; the others are faded."),
    "key.title": ("Xã trọng điểm phức tạp về ma túy", "Key communes with a complex drug situation"),
    "kpi.class": ("Loại", "Class"),
    "kpi.vs_target": ("chỉ tiêu {pct}: {diff}", "target {pct}: {diff}"),
    "kpi.needed_year": ("Còn thiếu so với chỉ tiêu {year}", "Short of the {year} target"),
    "kpi.reached": ("Đã đạt chỉ tiêu", "Target reached"),
    "kpi.drug_free_of": ("Xã không ma túy (trên {total} xã, phường)", "Drug-free (of {total} units)"),
    "kpi.units": ("xã, phường", "units"),
    "kpi.routes_sub": ("tuyến đường bộ và biên giới", "roads and the border"),
    "kpi.goal_2030": ("Mục tiêu 2030: {n} xã", "2030 goal: {n} units"),
    "profile.choose": ("Chọn xã, phường", "Choose a commune"),
    "profile.history": ("Tình trạng qua các năm", "Status by year"),
    "profile.routes": ("Tuyến trọng điểm đi qua", "Priority routes through it"),
    "profile.no_routes": ("Không có tuyến nào đi qua.", "No route passes through."),
    "profile.indicators": ("Chỉ số năm {year}", "Indicators, {year}"),
    "profile.indicator": ("Chỉ số", "Indicator"),
    "profile.value": ("Giá trị", "Value"),
    "profile.no_data": ("Chưa có dữ liệu năm {year} cho xã này.", "No data for {year} for this commune."),
    "profile.ratios": ("Người nghiện + sử dụng: {a} /1.000 dân · đối tượng bị bắt: {o} /1.000 dân",
                       "Addicts + users: {a} per 1,000 residents · offenders arrested: {o} per 1,000"),
    "profile.former": ("Hình thành từ các xã cũ (trước 01/07/2025)", "Formed from (before 1 July 2025)"),
    "profile.merge_type": ("Sáp nhập", "Merged"),
    "profile.full": ("toàn bộ", "whole"),
    "profile.partial": ("một phần", "part"),
    "profile.neighbours": ("Xã giáp ranh", "Neighbouring communes"),
    "progress.title": ("Tiến độ xây dựng xã không ma túy đến 2030", "Progress towards 2030"),
    "progress.actual": ("Tỷ lệ xã không ma túy", "Drug-free share"),
    "progress.target_ministry": ("Chỉ tiêu Bộ Công an", "Ministry target"),
    "progress.target_national": ("Mức sàn toàn quốc", "National floor"),
    "progress.target_province": ("Mục tiêu của tỉnh", "Province target"),
    "progress.share_axis": ("Xã, phường không ma túy (%)", "Drug-free units (%)"),
    "progress.needed_title": ("Cần thêm mỗi năm để đạt mục tiêu 2030 (tính từ {year})",
                              "Units to add each year to reach the 2030 goal (from {year})"),
    "progress.needed_text": ("Năm {year} có **{have}** xã không ma túy; mục tiêu 2030 là **{goal}**; còn cần **{need}**.",
                             "{year}: **{have}** drug-free units; the 2030 goal is **{goal}**; **{need}** still needed."),
    "progress.needed": ("Số xã cần thêm", "Units to add"),
    "progress.change_title": ("Bản đồ thay đổi giữa hai năm", "Change map between two years"),
    "progress.from": ("Từ năm", "From"),
    "progress.to": ("Đến năm", "To"),
    "progress.one_year": ("Mới có dữ liệu một năm.", "Only one year has data."),
    "progress.same_year": ("Chọn hai năm khác nhau.", "Choose two different years."),
    "routes.title": ("Tuyến trọng điểm phức tạp về ma túy", "Priority routes"),
    "routes.none": ("Năm {year} chưa có tuyến nào.", "No route in {year}."),
    "routes.choose": ("Chọn tuyến", "Choose a route"),
    "routes.length": ("Chiều dài", "Length"),
    "routes.width": ("Hành lang", "Corridor"),
    "routes.communes": ("Xã trên tuyến", "Communes on it"),
    "routes.table": ("{n} xã, phường trên hành lang tuyến", "{n} communes in the corridor"),
    "routes.all": ("Số liệu tất cả các tuyến", "All routes"),
    "search.label": ("Tìm xã, phường", "Find a commune"),
    "search.placeholder": ("ví dụ: ha giang 1", "e.g. ha giang 1"),
    "search.none": ("Không tìm thấy «{q}».", "Nothing matches «{q}»."),
    "search.results": ("Kết quả", "Results"),
    "search.formerly": ("xã cũ", "formerly"),
    "search.open_profile": ("Mở hồ sơ xã", "Open the commune profile"),
    "sources.list": ("Nguồn và giấy phép", "Sources and licences"),
    "sources.licence": ("Giấy phép", "Licence"),
    "sources.leaflet": ("phục vụ tại chỗ, không tải từ Internet", "served locally, never from the Internet"),
    "sources.build": ("Dữ liệu ranh giới", "Boundary data"),
    "sources.tolerance": ("Dung sai đơn giản hoá", "Simplification tolerance"),
    "sources.displacement": ("dịch chuyển lớn nhất", "largest displacement"),
    "sources.vertices": ("Số đỉnh (đầy đủ → web)", "Vertices (full → web)"),
    "sources.border_note": ("Biên giới Việt – Trung trên bản đồ được suy ra từ bản đồ hành chính, không phải đường biên giới đo đạc.",
                            "The Vietnam–China border shown is derived from the administrative map, not a surveyed line."),
    "sources.demo_text": ("**DỮ LIỆU MINH HỌA.** Danh sách thật về xã không ma túy, địa bàn trọng điểm và các tuyến không công khai. "
                          "Dữ liệu đang hiển thị do máy sinh ra (hạt giống cố định) để minh họa; cán bộ nhập danh sách thật từ tệp Excel "
                          "ở trang *Nhập dữ liệu*.",
                          "**DỮ LIỆU MINH HỌA (illustrative data).** The real lists are not public. The data shown is generated by "
                          "code (fixed seed) for illustration; staff load the real lists from Excel on the *Import data* page."),
    "sources.terms": ("Thuật ngữ", "Terms"),
    "sources.terms_text": ("Tiêu chí theo Quyết định 28/2025/QĐ-TTg; trình tự đánh giá theo Hướng dẫn 37/HD-BCA. "
                           "Địa bàn trọng điểm phức tạp về ma túy loại I cần đạt ít nhất 3 trong 5 tiêu chí: người nghiện + người "
                           "sử dụng ≥ 0,5% dân số; ≥ 2 nơi tổ chức, chứa chấp sử dụng; đối tượng bị bắt ≥ 0,1% dân số; "
                           "≥ 3.000 cây hoặc ≥ 750 m² cây có chất ma túy; nằm trên tuyến trọng điểm phức tạp. "
                           "Chỉ lưu số liệu tổng hợp cấp xã, không lưu thông tin về cá nhân.",
                           "Criteria: Decision 28/2025/QĐ-TTg; review procedure: Guidance 37/HD-BCA. A class I key area meets at "
                           "least 3 of 5 criteria: registered addicts + users ≥ 0.5% of residents; ≥ 2 places organising or "
                           "harbouring use; offenders arrested ≥ 0.1% of residents; ≥ 3,000 narcotic plants or ≥ 750 m²; lies on "
                           "a complex route. Only commune-level aggregates are held, never data about a person."),
    # presentation mode (geo/present.py, pages/trinh_chieu.py)
    "present.title": ("Trình chiếu", "Presentation"),
    "present.subtitle": ("Xây dựng xã, phường không ma túy – tỉnh Tuyên Quang",
                         "Drug-free communes programme – Tuyên Quang province"),
    "present.doc_title": ("Trình chiếu tình hình xã không ma túy năm {year}", "Drug-free communes briefing, {year}"),
    "present.title.overview": ("Toàn tỉnh: xã, phường không ma túy năm {year}", "Province overview, {year}"),
    "present.title.route": ("Tuyến {name}", "Route: {name}"),
    "present.title.key": ("Xã trọng điểm phức tạp về ma túy năm {year}", "Key complex communes, {year}"),
    "present.title.progress": ("Tiến độ đến năm 2030 so với chỉ tiêu", "Progress to 2030 against the targets"),
    "present.title.change": ("Thay đổi từ năm {a} đến năm {b}", "Change from {a} to {b}"),
    "present.kind.overview": ("Tổng quan toàn tỉnh", "Province overview"),
    "present.kind.route": ("Một tuyến trọng điểm", "One priority route"),
    "present.kind.route_named": ("Tuyến: {name}", "Route: {name}"),
    "present.kind.key": ("Xã trọng điểm", "Key communes"),
    "present.kind.progress": ("Biểu đồ tiến độ", "Progress chart"),
    "present.kind.change": ("Bản đồ thay đổi so với năm trước", "Change map since the previous year"),
    "present.year": ("Năm {year}", "Year {year}"),
    "present.date": ("Ngày {date}", "Date: {date}"),
    "present.demo_short": ("Số liệu do máy sinh ra, không phải số liệu thật", "Machine-generated, not real figures"),
    "present.kpi.drug_free": ("xã, phường được công nhận không ma túy", "units recognised drug-free"),
    "present.kpi.drug_free_short": ("xã không ma túy", "drug-free units"),
    "present.kpi.share": ("tỷ lệ xã, phường không ma túy", "share of units drug-free"),
    "present.kpi.vs_target": ("{diff} so với chỉ tiêu {pct} của {scope}", "{diff} against the {scope} target of {pct}"),
    "present.scope.ministry": ("Bộ Công an", "Ministry"),
    "present.scope.national": ("toàn quốc", "national"),
    "present.scope.province": ("tỉnh", "province"),
    "present.kpi.key": ("xã trọng điểm phức tạp", "key complex communes"),
    "present.kpi.classes": ("Loại I: {a} · loại II: {b} · loại III: {c}", "Class I: {a} · II: {b} · III: {c}"),
    "present.kpi.routes": ("tuyến trọng điểm", "priority routes"),
    "present.kpi.needed": ("xã còn cần đạt đến năm 2030", "units still needed by 2030"),
    "present.kpi.goal": ("Mục tiêu 2030: {n} xã, phường", "2030 goal: {n} units"),
    "present.route.communes": ("xã, phường trên hành lang tuyến", "units in the route corridor"),
    "present.route.width": ("Hành lang ± {km} km", "Corridor ± {km} km"),
    "present.route.length": ("chiều dài tuyến", "route length"),
    "present.route.population": ("dân số các xã trên tuyến", "population of those units"),
    "present.key.class": ("địa bàn loại {c}", "class {c} areas"),
    "present.chart.aria": ("Biểu đồ tỷ lệ xã không ma túy theo năm so với chỉ tiêu",
                           "Drug-free share by year against the targets"),
    "present.progress.per_year": ("Cần thêm mỗi năm", "To add each year"),
    "present.nav": ("Điều khiển trình chiếu", "Slideshow controls"),
    "present.prev": ("Trước", "Previous"),
    "present.next": ("Sau", "Next"),
    "present.fullscreen": ("Toàn màn hình", "Full screen"),
    "present.play": ("▶ Tự chuyển", "▶ Auto"),
    "present.pause": ("⏸ Dừng", "⏸ Pause"),
    "present.editor": ("Danh sách trang chiếu", "Slide list"),
    "present.editor_help": ("Chọn các trang và thứ tự (kéo thả không có: đổi số thứ tự). Tiêu đề để trống thì dùng tiêu đề mặc định.",
                            "Choose the slides and their order (edit the order number). Leave a title empty for the default."),
    "present.col.order": ("Thứ tự", "Order"),
    "present.col.show": ("Hiện", "Show"),
    "present.col.kind": ("Trang", "Slide"),
    "present.col.title": ("Tiêu đề (tuỳ chọn)", "Title (optional)"),
    "present.save": ("Lưu danh sách", "Save the list"),
    "present.saved": ("Đã lưu danh sách {n} trang chiếu.", "Saved a list of {n} slides."),
    "present.reset": ("Khôi phục mặc định", "Back to the default"),
    "present.not_editor": ("Chỉ biên tập viên được lưu danh sách trang chiếu.", "Only editors can save the slide list."),
    "present.auto": ("Tự chuyển trang", "Auto-advance"),
    "present.auto_off": ("Không tự chuyển", "Off"),
    "present.auto_s": ("mỗi {s} giây", "every {s} s"),
    "present.start": ("Bắt đầu trình chiếu", "Start the presentation"),
    "present.exit": ("Thoát trình chiếu", "Leave the presentation"),
    "present.download": ("Tải tệp trình chiếu (.html, dùng không cần mạng)", "Download the slideshow (.html, works offline)"),
    "present.hint": ("Bấm vào trang chiếu rồi dùng phím ←/→, PageUp/PageDown, dấu cách hoặc bút trình chiếu.",
                     "Click the slides, then use ←/→, PageUp/PageDown, space or a presentation clicker."),
    "present.count": ("{n} trang chiếu", "{n} slides"),
    # --- data pages (lead) ---
    "imp.title": ("Nhập dữ liệu", "Import data"),
    "imp.intro": ("Mỗi lần nhập đều chạy thử trước: báo cáo nêu từng lỗi, cảnh báo kèm trang tính, dòng, cột. "
                  "Chỉ khi không còn lỗi mới nhập được; có lỗi thì không lưu gì.",
                  "Every import is a dry run first: the report lists each error and warning with sheet, row and "
                  "column. Only an error-free file can be imported; with any error nothing is stored."),
    "imp.tab_status": ("Trạng thái các xã (Excel/CSV)", "Commune status (Excel/CSV)"),
    "imp.tab_routes": ("Tuyến (GIS)", "Routes (GIS)"),
    "imp.tab_files": ("Mẫu và xuất dữ liệu", "Template and export"),
    "imp.template": ("Tải mẫu Excel (124 xã, có danh sách chọn)", "Download the Excel template (124 units)"),
    "imp.export_year": ("Xuất dữ liệu năm {year} (cùng mẫu, nhập lại được)", "Export {year} (same layout, re-importable)"),
    "imp.no_year": ("Năm {year} chưa có dữ liệu.", "No data for {year} yet."),
    "imp.status_file": ("Tệp trạng thái (.xlsx hoặc .csv)", "Status file (.xlsx or .csv)"),
    "imp.route_file": ("Tệp tuyến (GeoJSON, KML, GPX hoặc Shapefile nén .zip)", "Route file (GeoJSON, KML, GPX or zipped Shapefile)"),
    "imp.too_big": ("Tệp «{name}» nặng {mb} MB, vượt giới hạn {limit} MB: không đọc.",
                    "File «{name}» is {mb} MB, over the {limit} MB limit: not read."),
    "imp.reason": ("Lý do thay đổi (bắt buộc, ghi vào lịch sử)", "Reason for the change (required, kept in the history)"),
    "imp.go": ("Nhập {n} thay đổi vào năm {year}", "Import {n} changes into {year}"),
    "imp.go_routes": ("Nhập {n} tuyến", "Import {n} routes"),
    "imp.crs_question": ("Tệp không khai báo hệ toạ độ. Hãy chọn hệ toạ độ của tệp (không đoán thay bạn).",
                         "The file declares no coordinate system. Choose it (it is never guessed)."),
    "imp.crs": ("Hệ toạ độ của tệp", "The file's coordinate system"),
    "imp.crs_choose": ("— chọn —", "— choose —"),
    "rev.title": ("Lịch sử thay đổi dữ liệu", "Data revision history"),
    "rev.id": ("Phiên bản", "Revision"),
    "rev.at": ("Thời điểm (UTC)", "When (UTC)"),
    "rev.user": ("Người thực hiện", "User"),
    "rev.kind": ("Loại", "Kind"),
    "rev.reason": ("Lý do", "Reason"),
    "rev.summary": ("Tóm tắt", "Summary"),
    "rev.source": ("Nguồn", "Source"),
    "rev.demo": ("Minh họa", "Demo"),
    "rev.compare": ("So sánh hai phiên bản", "Compare two revisions"),
    "rev.from": ("Từ phiên bản", "From revision"),
    "rev.to": ("Đến phiên bản", "To revision"),
    "rev.n_changes": ("{n} thay đổi", "{n} changes"),
    "rev.entity": ("Đối tượng", "Entity"),
    "rev.key": ("Khoá", "Key"),
    "rev.field": ("Trường", "Field"),
    "rev.before": ("Trước", "Before"),
    "rev.after": ("Sau", "After"),
    "rev.restore": ("Khôi phục", "Restore"),
    "rev.restore_to": ("Khôi phục dữ liệu về phiên bản", "Restore the data to revision"),
    "rev.restore_go": ("Khôi phục về phiên bản {id}", "Restore revision {id}"),
    "rev.restored": ("Đã khôi phục về phiên bản {id} (phiên bản mới {new}).", "Restored revision {id} (new revision {new})."),
    "rev.admin_only": ("Chỉ quản trị viên được khôi phục phiên bản cũ.", "Only administrators can restore revisions."),
    "adm.title": ("Quản trị", "Administration"),
    "adm.users": ("Người dùng", "Users"),
    "adm.targets": ("Chỉ tiêu", "Targets"),
    "adm.audit": ("Nhật ký kiểm tra", "Audit trail"),
    "adm.name": ("Tên đăng nhập", "User name"),
    "adm.password": ("Mật khẩu (ít nhất 10 ký tự)", "Password (10 characters or more)"),
    "adm.role": ("Vai trò", "Role"),
    "adm.disabled": ("Đã khoá", "Disabled"),
    "adm.last_login": ("Đăng nhập gần nhất", "Last login"),
    "adm.add": ("Thêm người dùng", "Add a user"),
    "adm.add_go": ("Thêm", "Add"),
    "adm.added": ("Đã thêm người dùng {name}.", "User {name} added."),
    "adm.change": ("Đổi vai trò, khoá/mở khoá", "Change role, disable/enable"),
    "adm.set_role": ("Đổi vai trò", "Set role"),
    "adm.disable": ("Khoá tài khoản", "Disable"),
    "adm.enable": ("Mở khoá tài khoản", "Enable"),
    "adm.done": ("Đã lưu.", "Saved."),
    "adm.targets_help": ("Mỗi dòng là một chỉ tiêu: năm, cấp giao (ministry = Bộ Công an, national = toàn quốc, province = tỉnh) "
                         "và tỷ lệ % hoặc số xã (chỉ một trong hai).",
                         "One row per target: year, scope (ministry, national, province) and a share in % or a count "
                         "of units (one of the two)."),
    "adm.scope": ("Cấp giao", "Scope"),
    "adm.share": ("Tỷ lệ (%)", "Share (%)"),
    "adm.count": ("Số xã", "Units"),
    "adm.save_targets": ("Lưu chỉ tiêu", "Save targets"),
    "adm.filter_user": ("Lọc theo người dùng", "Filter by user"),
    "adm.filter_action": ("Lọc theo hành động", "Filter by action"),
    "adm.action": ("Hành động", "Action"),
    "adm.what": ("Nội dung", "What"),
    "adm.detail": ("Chi tiết", "Detail"),
    "adm.audit_csv": ("Tải nhật ký (CSV)", "Download the audit trail (CSV)"),
    "role.viewer": ("Người xem", "Viewer"),
    "role.editor": ("Biên tập viên", "Editor"),
    "role.admin": ("Quản trị viên", "Administrator"),
    # --- present ---
    "present.auto_play": ("Tự chuyển", "Auto"),
    "present.auto_pause": ("Dừng tự chuyển", "Pause"),
    "present.fullscreen_key": ("Toàn màn hình (F)", "Full screen (F)"),
    "present.keys": ("Phím ←/→: chuyển trang · F: toàn màn hình · L: chú giải",
                     "Keys ←/→: slides · F: full screen · L: legend"),
    "present.legend": ("Chú giải", "Legend"),
    "present.legend_toggle": ("Hiện/ẩn chú giải (phím L)", "Show/hide the legend (key L)"),
    # --- yearview ---
    # map categories (geo.model.CATEGORIES): the one source of their labels
    "cat.drug_free": ("Đã công nhận không ma túy", "Recognised drug-free"),
    "cat.class_I": ("Trọng điểm phức tạp loại I", "Key complex area, class I"),
    "cat.class_II": ("Trọng điểm phức tạp loại II", "Key complex area, class II"),
    "cat.class_III": ("Trọng điểm phức tạp loại III", "Key complex area, class III"),
    "cat.other": ("Chưa đạt", "Not yet drug-free"),
    "cat.no_data": ("Chưa có dữ liệu", "No data"),
    # indicators (geo.model.INDICATORS); the Vietnamese text is also the import template's header
    "ind.addicts": ("Người nghiện có hồ sơ quản lý", "Registered addicts"),
    "ind.users": ("Người sử dụng trái phép chất ma túy", "Illegal drug users"),
    "ind.post_rehab": ("Người sau cai nghiện", "Post-rehabilitation persons"),
    "ind.spots": ("Điểm, tụ điểm", "Drug spots and hotspots"),
    "ind.harbour_places": ("Nơi tổ chức, chứa chấp sử dụng", "Places organising/harbouring use"),
    "ind.cases": ("Số vụ", "Cases"),
    "ind.offenders": ("Số đối tượng bị bắt", "Offenders arrested"),
    "ind.plants": ("Số cây có chất ma túy", "Narcotic plants (count)"),
    "ind.plant_area_m2": ("Diện tích cây có chất ma túy (m²)", "Narcotic plants (m²)"),
    # changes between two years (geo.changes.CHANGES)
    "change.newly_recognised": ("Mới được công nhận không ma túy", "Newly recognised drug-free"),
    "change.lost_recognition": ("Mất công nhận không ma túy", "Lost drug-free recognition"),
    "change.newly_key": ("Mới thành địa bàn trọng điểm", "Newly a key area"),
    "change.no_longer_key": ("Không còn là địa bàn trọng điểm", "No longer a key area"),
    "change.unchanged": ("Không thay đổi", "No change"),
    # what is illustrative, per item (geo.maps.demo_mark.demo_text)
    "demo.item.statuses": ("trạng thái các xã", "commune statuses"),
    "demo.item.routes": ("tuyến trọng điểm", "priority routes"),
    "demo.item.targets": ("chỉ tiêu", "targets"),
    "demo.real": ("số liệu thật", "real figures"),
    "demo.illustrative": ("MINH HỌA", "ILLUSTRATIVE"),
    "demo.all": ("Trạng thái, tuyến trọng điểm và chỉ tiêu đều do máy sinh ra, không phải số liệu thật.",
                 "Statuses, priority routes and targets are machine-generated, not real figures."),
    "demo.part": ("DỮ LIỆU MINH HỌA MỘT PHẦN", "PARTLY ILLUSTRATIVE DATA"),
    # sheets of one route / one commune (geo.export.sheet)
    "sheet.route.communes": ("Xã, phường trên tuyến", "Communes on the route"),
    "sheet.route.key": ("Trong đó trọng điểm phức tạp", "Of which key complex areas"),
    "sheet.route.key_classes": ("Loại I / II / III", "Class I / II / III"),
    "sheet.route.drug_free": ("Trong đó không ma túy", "Of which drug-free"),
    "sheet.route.length": ("Chiều dài tuyến", "Route length"),
    "sheet.route.population": ("Dân số các xã trên tuyến", "Population of these communes"),
    "sheet.commune.status": ("Phân loại", "Status"),
    "sheet.commune.class": ("Trọng điểm phức tạp", "Key complex area"),
    "sheet.commune.population": ("Dân số", "Population"),
    "sheet.commune.routes": ("Tuyến đi qua", "Routes crossing it"),
    "sheet.commune.decision": ("Quyết định công nhận", "Recognition decision"),
    "sheet.none": ("không", "none"),
    "sheet.points": ("{sign}{n} điểm phần trăm", "{sign}{n} percentage points"),
    # --- importer ---
    "imp.status_file_any": ("Tệp trạng thái (.xlsx, .xls, .ods hoặc .csv; Unicode, TCVN3 hoặc VNI)",
                            "Status file (.xlsx, .xls, .ods or .csv; Unicode, TCVN3 or VNI)"),
    "imp.matches": ("Cần xác nhận: {n} dòng khớp tên không chính xác (không theo mã hay đúng tên năm 2025). "
                    "Kiểm tra đơn vị được chọn trước khi nhập.",
                    "To confirm: {n} rows matched by something other than the code or the exact 2025 name. "
                    "Check the unit chosen before importing."),
    "imp.confirm_matches": ("Tôi đã kiểm tra {n} dòng trên: đúng xã/phường", "I checked these {n} rows: right units"),
    "imp.skipped": ("Dòng không phải số liệu đã bỏ qua ({n})", "Non-data rows skipped ({n})"),
    "imp.route_id": ("Mã tuyến (để trống: theo tệp)", "Route id (empty: from the file)"),
    "imp.route_name": ("Tên tuyến (để trống: theo tệp)", "Route name (empty: from the file)"),
    "imp.route_width": ("Hành lang mỗi bên tuyến, km (để trống: theo tệp hoặc 2)",
                        "Corridor each side of the route, km (empty: from the file or 2)"),
    "imp.conflict": ("Đã có tuyến cùng mã hoặc cùng tên. Chọn cách xử lý:",
                     "A route with the same id or name exists. Choose:"),
    "imp.conflict_choose": ("— chọn —", "— choose —"),
    "imp.conflict_replace": ("Thay tuyến đã có bằng tuyến trong tệp", "Replace the stored route with the file's"),
    "imp.conflict_keep": ("Giữ cả hai (tuyến trong tệp mang mã/tên mới)", "Keep both (the file's route gets a new id/name)"),

    # --- shell ---
    "app.page_title": ("Bản đồ xã không ma túy – Tuyên Quang", "Drug-free communes map – Tuyên Quang"),
    "auth.bad_config": ("Cấu hình không hợp lệ: {error}", "Invalid configuration: {error}"),
    "auth.expired": ("Phiên làm việc đã hết hạn sau {m} phút không hoạt động. Hãy đăng nhập lại.",
                     "Your session ended after {m} minutes without activity. Please log in again."),
    "auth.inactive": ("Tài khoản không còn hiệu lực.", "This account is no longer active."),
    "auth.logged_out": ("Bạn đã đăng xuất.", "You have logged out."),
    "auth.title": ("Đăng nhập", "Log in"),
    "auth.caption": ("Bản đồ chương trình xã không ma túy — tỉnh Tuyên Quang. Chỉ dành cho người được cấp tài khoản.",
                     "Map of the drug-free communes programme — Tuyên Quang province. For account holders only."),
    "auth.name": ("Tên đăng nhập", "User name"),
    "auth.password": ("Mật khẩu", "Password"),
    "auth.go": ("Đăng nhập", "Log in"),
    "auth.missing": ("Hãy nhập tên đăng nhập và mật khẩu.", "Enter your user name and password."),
    "auth.fail.bad": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "auth.fail.locked": ("Tài khoản tạm thời bị khoá do đăng nhập sai nhiều lần. Hãy thử lại sau.",
                         "This account is temporarily locked after repeated wrong passwords. Try again later."),
    "auth.fail.client_locked": ("Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn. Hãy thử lại sau.",
                                "Too many wrong logins from your network address. Try again later."),
    "auth.fail.name_delay": ("Tên đăng nhập này vừa bị thử sai nhiều lần: hãy thử lại sau ít giây.",
                             "This user name was just tried wrongly several times: try again in a few seconds."),
    "auth.fail.busy": ("Hệ thống đang bận, thử lại sau ít giây.", "The system is busy, try again in a few seconds."),
    "auth.oidc_missing": ("Đăng nhập OIDC đã được cấu hình ([auth] trong secrets.toml) nhưng thiếu gói Authlib. "
                          "Quản trị viên hãy cài: pip install \"streamlit[auth]\".",
                          "OIDC login is configured ([auth] in secrets.toml) but the Authlib package is missing. "
                          "Administrators: pip install \"streamlit[auth]\"."),
    "auth.oidc_go": ("Đăng nhập bằng tài khoản cơ quan", "Log in with your organisation account"),
    "auth.oidc_no_role": ("Tài khoản {who} chưa được cấp quyền truy cập. Hãy liên hệ quản trị viên.",
                          "The account {who} has no access yet. Please contact an administrator."),
    "auth.logout": ("Đăng xuất", "Log out"),
    "auth.logged_in_as": ("Đăng nhập: {who} ({role})", "Logged in: {who} ({role})"),
    "auth.demo_notice": ("Chế độ trình diễn công khai — không đăng nhập. Chỉ dùng DỮ LIỆU MINH HỌA.",
                         "Public demonstration — no login. Illustrative data only (DỮ LIỆU MINH HỌA)."),
    "auth.demo_refused": ("Chế độ trình diễn công khai (TQMAP_PUBLIC_DEMO=1) chỉ được dùng với DỮ LIỆU MINH HỌA, "
                          "nhưng kho dữ liệu đang có số liệu thật. Hãy tắt chế độ này để bắt buộc đăng nhập.",
                          "The public demonstration mode (TQMAP_PUBLIC_DEMO=1) may only show illustrative data, "
                          "but the store holds real figures. Turn this mode off so that a login is required."),
    "auth.demo_user": ("Khách (trình diễn công khai)", "Guest (public demonstration)"),
    "auth.guest": ("khách", "guest"),
    "auth.no_right": ("Bạn không có quyền {action} (vai trò hiện tại: {role}).",
                      "You may not {action} (your role: {role})."),
    "auth.not_logged_in": ("chưa đăng nhập", "not logged in"),
    "auth.action.view": ("xem dữ liệu", "view the data"),
    "auth.action.export": ("xuất dữ liệu", "export data"),
    "auth.action.import": ("nhập dữ liệu", "import data"),
    "auth.action.edit": ("sửa dữ liệu", "edit data"),
    "auth.action.restore": ("khôi phục phiên bản", "restore a revision"),
    "auth.action.manage_users": ("quản lý người dùng", "manage users"),
    "auth.action.edit_targets": ("sửa chỉ tiêu", "edit the targets"),
    "auth.action.view_audit": ("xem nhật ký kiểm tra", "view the audit trail"),
    # --- look ---
    "wall.title": ("Bản đồ xã không ma túy tỉnh Tuyên Quang – năm {year}",
                   "Drug-free communes of Tuyên Quang province – {year}"),
    "wall.nav": ("Màn hình treo tường", "Wall screen"),
    "wall.drug_free": ("Xã không ma túy", "Drug-free"),
    "wall.key": ("Xã trọng điểm", "Key communes"),
    "wall.routes": ("Tuyến trọng điểm", "Priority routes"),
    "wall.target": ("So với chỉ tiêu {pct}", "Against the {pct} target"),
    "wall.needed": ("Còn phải đạt năm {year}", "Still needed in {year}"),
    "wall.updated": ("Cập nhật", "Updated"),
    "wall.auto": ("Tự làm mới khi dữ liệu thay đổi", "Refreshes itself when the data change"),
    "wall.demo_short": ("DỮ LIỆU MINH HỌA – không phải số liệu thật", "ILLUSTRATIVE DATA – not real figures"),
    "wall.bad_year": ("Năm {value} không có dữ liệu; đang hiển thị năm {year}. Các năm có: {years}.",
                      "No data for year {value}; showing {year}. Years available: {years}."),
    "wall.needed_2030": ("Còn phải đạt đến 2030", "Still needed by 2030"),
    "wall.goal_2030": ("mục tiêu {n} xã", "goal {n} units"),
    "ui.print": ("In trang này", "Print this page"),
    "ui.sort_hint": ("Bấm để sắp xếp theo cột này", "Click to sort by this column"),
    "ui.legend": ("Chú giải", "Legend"),
    "profile.tab_history": ("Qua các năm", "By year"),
    "profile.tab_indicators": ("Chỉ số {year}", "Indicators {year}"),
    "profile.tab_former": ("Xã cũ", "Former units"),
    "profile.tab_neighbours": ("Giáp ranh", "Neighbours"),
    "field.decision_short": ("Quyết định", "Decision"),
}


def t(key: str, lang: str = DEFAULT_LANG, **kwargs) -> str:
    vi, en = STRINGS[key]
    text = en if lang == "en" and en else vi
    return text.format(**kwargs) if kwargs else text


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def fmt_int(n: int | float | None, lang: str = DEFAULT_LANG) -> str:
    """1858056 -> '1.858.056' (vi) / '1,858,056' (en)."""
    if n is None:
        return "–"
    return _group(int(round(n)), "." if lang == "vi" else ",")


def fmt_num(x: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """28.2258 -> '28,2' (vi) / '28.2' (en), with thousands grouped."""
    if x is None:
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang == "vi":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def fmt_pct(x: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A percentage already in 0–100: 28.2258 -> '28,2%'."""
    return "–" if x is None else fmt_num(x, decimals, lang) + "%"


def fmt_points(x: float, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A difference in percentage points with its sign: 8.2 -> '+8,2 điểm phần trăm' (vi) /
    '+8.2 percentage points' (en); 0 -> '±0,0 điểm phần trăm'; negative with a true minus sign."""
    sign = "+" if x > 0 else ("−" if x < 0 else "±")
    unit = "điểm phần trăm" if lang == "vi" else "percentage points"
    return f"{sign}{fmt_num(abs(x), decimals, lang)} {unit}"


def fmt_dec(x: float | None, lang: str = DEFAULT_LANG, max_decimals: int = 1) -> str:
    """A measure with no useless decimals: 80.0 -> '80', 12.5 -> '12,5', 1234.25 -> '1.234,3' (vi)."""
    if x is None:
        return "–"
    s = fmt_num(float(x), max_decimals, lang)
    dec = "," if lang == "vi" else "."
    if dec in s:
        s = s.rstrip("0").rstrip(dec)
    return s


def fmt_measure(x: float | None, unit: str, lang: str = DEFAULT_LANG, max_decimals: int = 1) -> str:
    """A value with its unit: (80.0, 'm') -> '80 m'; (0.5, 'm/px') -> '0,5 m/px'."""
    return "–" if x is None else f"{fmt_dec(x, lang, max_decimals)} {unit}"


def fmt_pop(n: int | float | None, lang: str = DEFAULT_LANG) -> str:
    """Population, the same in every table, card and sheet: 33100 -> '33.100' (vi)."""
    return fmt_int(n, lang)


def fmt_datetime(ts: "dt.datetime | str | None", lang: str = DEFAULT_LANG, tz: "dt.tzinfo | None" = None) -> str:
    """A timestamp as '04/02/2026 14:30' (vi) / '4 Feb 2026 14:30' (en).

    Accepts a datetime or ISO text ('2026-02-04T07:30:00+00:00', '2026-02-04 07:30:00', 'Z' suffix).
    An aware time is shown in ``tz`` (default: Vietnam, UTC+7, the programme's time); a naive one as is."""
    if ts is None or ts == "":
        return "–"
    if isinstance(ts, str):
        text = ts.strip().replace("Z", "+00:00")
        try:
            ts = dt.datetime.fromisoformat(text)
        except ValueError:
            return ts  # not a timestamp: shown as given, never guessed
    if isinstance(ts, dt.date) and not isinstance(ts, dt.datetime):
        return fmt_date(ts, lang)
    if ts.tzinfo is not None:
        ts = ts.astimezone(tz or VN_TZ)
    hm = ts.strftime("%H:%M")
    return f"{ts.strftime('%d/%m/%Y')} {hm}" if lang == "vi" else f"{ts.day} {ts.strftime('%b %Y')} {hm}"


def fmt_class_counts(counts: dict, lang: str = DEFAULT_LANG) -> str:
    """A class breakdown as plain text, never as a change: {'I': 3, 'II': 5, 'III': 1} ->
    'Loại I: 3 · Loại II: 5 · Loại III: 1' (no arrow: use it as a caption/help, not a metric delta)."""
    word = "Loại" if lang == "vi" else "Class"
    return " · ".join(f"{word} {k}: {fmt_int(counts.get(k, 0), lang)}" for k in ("I", "II", "III"))


VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def fmt_date(d: dt.date | str | None, lang: str = DEFAULT_LANG) -> str:
    """2026-02-04 -> '04/02/2026' (vi) / '4 Feb 2026' (en)."""
    if d is None or d == "":
        return "–"
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return d.strftime("%d/%m/%Y") if lang == "vi" else f"{d.day} {d.strftime('%b %Y')}"
