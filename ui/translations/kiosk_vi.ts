<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../screens_visit.py" line="100"/>
        <source>Self-service kiosk</source>
        <translation>Kiosk tự phục vụ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="101"/>
        <source>Certified copies of your documents</source>
        <translation>Chứng thực bản sao giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="102"/>
        <source>Choose your language, then the service you need.</source>
        <translation>Chọn ngôn ngữ, sau đó chọn dịch vụ cần thực hiện.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="108"/>
        <source>Services</source>
        <translation>Dịch vụ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="109"/>
        <source>Certify a copy of a document</source>
        <translation>Chứng thực bản sao giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="110"/>
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="111"/>
        <source>Reprint a copy</source>
        <translation>In lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="113"/>
        <source>Voice</source>
        <translation>Giọng đọc</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="115"/>
        <source>Large text</source>
        <translation>Chữ lớn</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="117"/>
        <source>High contrast</source>
        <translation>Tương phản cao</translation>
    </message>
</context>
<context>
    <name>CardScreen</name>
    <message>
        <location filename="../screens_visit.py" line="148"/>
        <source>your ID card</source>
        <translation>thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="152"/>
        <source>Place your ID card on the glass</source>
        <translation>Đặt thẻ căn cước lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="150"/>
        <source>Lay your citizen ID card (CCCD) face down on the glass, then press Continue.</source>
        <translation>Úp thẻ căn cước (CCCD) lên mặt kính, rồi bấm Tiếp tục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="140"/>
        <source>Reprint a copy: your ID card</source>
        <translation>In lại bản sao: thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="143"/>
        <source>Only the holder of the copy may reprint it. Lay your citizen ID card (CCCD) face down on the glass, then press Continue.</source>
        <translation>Chỉ người được chứng thực mới được in lại bản sao. Úp thẻ căn cước (CCCD) lên mặt kính, rồi bấm Tiếp tục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="156"/>
        <source>Reading your card…</source>
        <translation>Đang đọc thẻ…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="157"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="158"/>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
</context>
<context>
    <name>CheckCopyScreen</name>
    <message>
        <location filename="../screens_other.py" line="60"/>
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="61"/>
        <source>Place the printed copy on the glass</source>
        <translation>Đặt bản sao đã in lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="64"/>
        <source>Lay a page of the copy face down on the glass, with its QR code, then press Check. Or hold the page up to the camera, QR code towards it.</source>
        <translation>Úp một trang của bản sao (trang có mã QR) lên mặt kính, rồi bấm Kiểm tra. Hoặc giơ trang giấy trước camera, mặt có mã QR hướng vào camera.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="71"/>
        <source>Checking the QR code…</source>
        <translation>Đang kiểm tra mã QR…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="72"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="73"/>
        <source>Hold it to the camera</source>
        <translation>Kiểm tra bằng camera</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="75"/>
        <source>Check</source>
        <translation>Kiểm tra</translation>
    </message>
</context>
<context>
    <name>CheckResultScreen</name>
    <message>
        <location filename="../screens_other.py" line="135"/>
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="136"/>
        <source>Result of the check</source>
        <translation>Kết quả kiểm tra</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="128"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="139"/>
        <source>The QR code and the page are checked on this kiosk; the status is asked from the city&apos;s system.</source>
        <translation>Mã QR và nội dung trang được kiểm tra ngay tại kiosk; tình trạng bản sao được tra cứu trên hệ thống của Thành phố.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="151"/>
        <source>This copy has been revoked</source>
        <translation>Bản sao này đã bị thu hồi</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="153"/>
        <source>This is a valid certified copy</source>
        <translation>Đây là bản sao chứng thực hợp lệ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="155"/>
        <source>This copy could not be confirmed</source>
        <translation>Không xác nhận được bản sao này</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="158"/>
        <source>Code: %s</source>
        <translation>Mã: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="161"/>
        <source>Issued: %s</source>
        <translation>Thời điểm chứng thực: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="163"/>
        <source>Pages: %d</source>
        <translation>Số trang: %d</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="167"/>
        <source>Ask staff to look at the original record.</source>
        <translation>Đề nghị liên hệ cán bộ để đối chiếu hồ sơ gốc.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="171"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>CollectScreen</name>
    <message>
        <location filename="../screens_service.py" line="139"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="145"/>
        <source>Fee received</source>
        <translation>Đã nhận phí</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="146"/>
        <source>The printer has a problem: your copy is saved</source>
        <translation>Máy in gặp sự cố: bản sao của bạn đã được lưu</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="148"/>
        <source>Collect your copy at the counter at no extra charge, with your ID card and this code.</source>
        <translation>Mời bạn nhận bản sao tại quầy, không mất thêm phí, mang theo CCCD và mã này.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="151"/>
        <source>Fee received: %s</source>
        <translation>Đã nhận phí: %s</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="153"/>
        <source>Code of the copy</source>
        <translation>Mã số bản sao</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="157"/>
        <source>Your number (payment reference %s)</source>
        <translation>Số thứ tự của bạn (mã thanh toán %s)</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="161"/>
        <source>Payment reference</source>
        <translation>Mã thanh toán</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="165"/>
        <source>Take the slip “Fee received – copy to collect” from the receipt printer.</source>
        <translation>Mời bạn lấy phiếu “Đã nhận phí – bản sao chờ nhận” ở máy in biên nhận.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="167"/>
        <source>Take the slip “Fee received – copy to collect” from the large printer.</source>
        <translation>Mời bạn lấy phiếu “Đã nhận phí – bản sao chờ nhận” ở máy in khổ A4.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="169"/>
        <source>No slip could be printed: please write down or photograph this code.</source>
        <translation>Không in được phiếu: vui lòng ghi lại hoặc chụp ảnh mã này.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="174"/>
        <source>Try printing again (free)</source>
        <translation>In lại (miễn phí)</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="176"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <location filename="../screens_visit.py" line="621"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="626"/>
        <source>Finished</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="628"/>
        <source>Your copy has been printed again</source>
        <translation>Bản sao đã được in lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="630"/>
        <source>Your certified copy is ready</source>
        <translation>Bản sao chứng thực đã in xong</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="633"/>
        <source>Anyone can check the copy with its QR code or its code.</source>
        <translation>Bản sao có thể được kiểm tra bằng mã QR hoặc mã số in trên bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="635"/>
        <source>Keep the receipt: it has the code that lets anyone check the copy.</source>
        <translation>Vui lòng giữ phiếu biên nhận: mã số trên phiếu dùng để kiểm tra bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="637"/>
        <source>Code of the copy</source>
        <translation>Mã số bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="642"/>
        <source>Download secret (also on the receipt)</source>
        <translation>Mã bí mật để tải bản sao (có trên phiếu biên nhận)</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="647"/>
        <source>Please take your ID card and the reprinted copy.</source>
        <translation>Vui lòng nhận lại thẻ căn cước và bản sao in lại.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="649"/>
        <source>Please take your ID card, your original, the copy and the receipt.</source>
        <translation>Vui lòng nhận lại thẻ căn cước, bản chính, bản sao chứng thực và phiếu biên nhận.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="655"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <location filename="../screens_visit.py" line="721"/>
        <source>There is a problem to resolve</source>
        <translation>Có sự cố cần xử lý</translation>
    </message>
</context>
<context>
    <name>FaceScreen</name>
    <message>
        <location filename="../screens_visit.py" line="231"/>
        <source>your face</source>
        <translation>khuôn mặt</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="232"/>
        <source>Look at the camera</source>
        <translation>Nhìn vào camera</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="229"/>
        <source>Reprint a copy: your face</source>
        <translation>In lại bản sao: khuôn mặt</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="234"/>
        <source>Keep your face inside the oval. Press Start, then do each step as it lights up.</source>
        <translation>Giữ khuôn mặt trong khung hình bầu dục. Bấm Bắt đầu, rồi làm theo từng bước khi bước đó sáng lên.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="239"/>
        <source>When you press Start:</source>
        <translation>Khi bấm Bắt đầu, hãy:</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="241"/>
        <source>Now:</source>
        <translation>Bây giờ:</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="243"/>
        <source>Comparing your face with the card photo…</source>
        <translation>Đang so khớp khuôn mặt với ảnh trên thẻ…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="264"/>
        <source>No face in the picture. Stand in front of the camera with your whole face in the oval.</source>
        <translation>Không thấy khuôn mặt trong khung hình. Vui lòng đứng trước camera để cả khuôn mặt nằm trong khung bầu dục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="268"/>
        <source>Starting the camera…</source>
        <translation>Đang bật camera…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="272"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="273"/>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="273"/>
        <source>Start</source>
        <translation>Bắt đầu</translation>
    </message>
</context>
<context>
    <name>HelpOverlay</name>
    <message>
        <location filename="../overlays.py" line="135"/>
        <source>Continue my visit</source>
        <translation>Tiếp tục giao dịch</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="136"/>
        <source>Cancel the call</source>
        <translation>Hủy yêu cầu hỗ trợ</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="137"/>
        <source>End the visit</source>
        <translation>Kết thúc giao dịch</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="141"/>
        <source>Calling staff…</source>
        <translation>Đang gọi cán bộ…</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="142"/>
        <source>Please wait a moment. Your visit is kept.</source>
        <translation>Vui lòng chờ trong giây lát. Giao dịch vẫn được giữ nguyên.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="148"/>
        <source>Staff are on their way</source>
        <translation>Cán bộ đang đến</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="150"/>
        <source>The help light is on and the service centre has been told. Stay at the kiosk: your visit is kept until you end it.</source>
        <translation>Đèn báo hỗ trợ đã bật và Trung tâm đã nhận được yêu cầu. Vui lòng chờ tại kiosk; giao dịch được giữ nguyên cho đến khi Ông/Bà kết thúc.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="158"/>
        <source>Staff could not be called</source>
        <translation>Chưa gọi được cán bộ</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="159"/>
        <source>Please go to the reception counter. Your visit is kept for a few minutes.</source>
        <translation>Vui lòng đến quầy tiếp nhận. Giao dịch được giữ trong vài phút.</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../window.py" line="138"/>
        <source>Are you still there?</source>
        <translation>Ông/Bà có tiếp tục giao dịch không?</translation>
    </message>
    <message>
        <location filename="../window.py" line="140"/>
        <source>For your privacy, the kiosk will start over and forget your data.</source>
        <translation>Để bảo vệ thông tin cá nhân, kiosk sẽ hủy giao dịch và xóa dữ liệu đã nhập.</translation>
    </message>
    <message>
        <location filename="../window.py" line="141"/>
        <source>I am still here</source>
        <translation>Tiếp tục giao dịch</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../window.py" line="336"/>
        <source>End this visit?</source>
        <translation>Hủy giao dịch này?</translation>
    </message>
    <message>
        <location filename="../window.py" line="337"/>
        <source>What you have scanned and entered will be erased. Nothing is printed.</source>
        <translation>Các trang đã quét và thông tin đã nhập sẽ bị xóa. Kiosk không in gì.</translation>
    </message>
    <message>
        <location filename="../window.py" line="338"/>
        <source>Yes, end the visit</source>
        <translation>Hủy giao dịch</translation>
    </message>
    <message>
        <location filename="../window.py" line="339"/>
        <source>No, go back</source>
        <translation>Không, quay lại</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens_other.py" line="326"/>
        <source>Test scan</source>
        <translation>Quét thử</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="327"/>
        <source>Camera preview</source>
        <translation>Xem camera</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="328"/>
        <source>Test page</source>
        <translation>In trang thử</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="329"/>
        <source>Receipt test</source>
        <translation>In thử phiếu biên nhận</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="332"/>
        <source>Sync now</source>
        <translation>Đồng bộ ngay</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="333"/>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="344"/>
        <source>Working…</source>
        <translation>Đang xử lý…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="357"/>
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="358"/>
        <source>Kiosk maintenance</source>
        <translation>Bảo trì kiosk</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="359"/>
        <source>Every action here is written to the audit log.</source>
        <translation>Mọi thao tác tại đây đều được ghi vào nhật ký hệ thống.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="361"/>
        <source>Devices</source>
        <translation>Thiết bị</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="362"/>
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="363"/>
        <source>Certificates</source>
        <translation>Chứng thư số</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="364"/>
        <source>Disk space</source>
        <translation>Dung lượng đĩa</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="365"/>
        <source>Recent logs</source>
        <translation>Nhật ký gần đây</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="378"/>
        <source>Close the program</source>
        <translation>Đóng chương trình</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="379"/>
        <source>Leave maintenance</source>
        <translation>Thoát bảo trì</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../messages.py" line="155"/>
        <source>Birth certificate</source>
        <translation>Giấy khai sinh</translation>
    </message>
    <message>
        <location filename="../messages.py" line="156"/>
        <source>Marriage certificate</source>
        <translation>Giấy chứng nhận kết hôn</translation>
    </message>
    <message>
        <location filename="../messages.py" line="157"/>
        <source>Diploma</source>
        <translation>Văn bằng</translation>
    </message>
    <message>
        <location filename="../messages.py" line="158"/>
        <source>Residence confirmation</source>
        <translation>Giấy xác nhận cư trú</translation>
    </message>
    <message>
        <location filename="../messages.py" line="159"/>
        <source>Land use right certificate</source>
        <translation>Giấy chứng nhận quyền sử dụng đất</translation>
    </message>
    <message>
        <location filename="../messages.py" line="160"/>
        <source>Identity card</source>
        <translation>Thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="161"/>
        <source>Other document</source>
        <translation>Giấy tờ khác</translation>
    </message>
    <message>
        <location filename="../messages.py" line="165"/>
        <source>Step {n} of {total}: {what}</source>
        <translation>Bước {n}/{total}: {what}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="19"/>
        <source>We could not read your ID card</source>
        <translation>Không đọc được thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="33"/>
        <source>We could not read your card&apos;s chip</source>
        <translation>Không đọc được chip của thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="34"/>
        <source>Your card&apos;s chip could not be verified</source>
        <translation>Không xác thực được chip của thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="75"/>
        <source>Lay the card on the card reader again and keep it still until the kiosk says it is read.</source>
        <translation>Đặt lại thẻ lên đầu đọc thẻ và giữ yên cho đến khi kiosk báo đã đọc xong.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="78"/>
        <source>The kiosk cannot certify with this card. Please call staff, who will check it with you.</source>
        <translation>Kiosk không chứng thực được với thẻ này. Vui lòng gọi cán bộ để được hỗ trợ kiểm tra thẻ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="20"/>
        <source>Your face does not match the card</source>
        <translation>Khuôn mặt không khớp với ảnh trên thẻ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="21"/>
        <source>We could not see a face</source>
        <translation>Không thấy khuôn mặt</translation>
    </message>
    <message>
        <location filename="../messages.py" line="23"/>
        <source>Please place the page again</source>
        <translation>Vui lòng đặt lại trang giấy</translation>
    </message>
    <message>
        <location filename="../messages.py" line="24"/>
        <source>No page has been scanned yet</source>
        <translation>Chưa quét trang nào</translation>
    </message>
    <message>
        <location filename="../messages.py" line="25"/>
        <source>The printer is out of paper</source>
        <translation>Máy in đã hết giấy</translation>
    </message>
    <message>
        <location filename="../messages.py" line="26"/>
        <source>Nothing was found on the glass</source>
        <translation>Không thấy giấy tờ trên mặt kính</translation>
    </message>
    <message>
        <location filename="../messages.py" line="27"/>
        <source>The scanner cover is open</source>
        <translation>Nắp máy quét đang mở</translation>
    </message>
    <message>
        <location filename="../messages.py" line="28"/>
        <source>A device is not working</source>
        <translation>Thiết bị đang gặp sự cố</translation>
    </message>
    <message>
        <location filename="../messages.py" line="29"/>
        <source>We could not find this code</source>
        <translation>Không tìm thấy mã này</translation>
    </message>
    <message>
        <location filename="../messages.py" line="40"/>
        <source>Lay the card face down, flat on the glass, with the QR code fully on the glass.</source>
        <translation>Úp thẻ phẳng trên mặt kính, để toàn bộ mã QR nằm trên mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="43"/>
        <source>Look straight at the camera in good light, without glasses or a mask, and try again.</source>
        <translation>Nhìn thẳng vào camera, bỏ kính và khẩu trang, rồi bấm Thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="46"/>
        <source>Stand in front of the camera so that your whole face is in the frame.</source>
        <translation>Đứng trước camera sao cho cả khuôn mặt nằm trong khung hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="52"/>
        <source>Lay the page flat, face down, and close the cover.</source>
        <translation>Úp trang giấy phẳng trên mặt kính và đóng nắp lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="53"/>
        <source>Place the first page of your document on the glass.</source>
        <translation>Đặt trang đầu tiên của giấy tờ lên mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="54"/>
        <source>Your copy is saved. Staff will refill the paper; then press Try again.</source>
        <translation>Bản sao đã được lưu. Vui lòng gọi cán bộ bổ sung giấy, sau đó bấm Thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="57"/>
        <source>Lay the card or the page face down on the glass, then try again.</source>
        <translation>Úp thẻ hoặc trang giấy lên mặt kính, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="60"/>
        <source>Close the scanner cover gently, then try again.</source>
        <translation>Đóng nắp máy quét, rồi bấm Thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="61"/>
        <source>Please try again. If it happens again, call staff.</source>
        <translation>Vui lòng bấm Thử lại. Nếu vẫn không được, bấm Gọi cán bộ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="62"/>
        <source>Check the code on your receipt and type it again.</source>
        <translation>Kiểm tra mã in trên phiếu biên nhận và nhập lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="88"/>
        <source>The page is blurred.</source>
        <translation>Trang giấy bị mờ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="89"/>
        <source>The page is too dark.</source>
        <translation>Trang giấy quá tối.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="90"/>
        <source>Part of the page is cut off.</source>
        <translation>Một phần trang giấy nằm ngoài mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="91"/>
        <source>The page is blank.</source>
        <translation>Trang giấy không có nội dung.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="92"/>
        <source>No text was found on the page.</source>
        <translation>Không đọc được chữ trên trang giấy.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="22"/>
        <source>The live check did not succeed</source>
        <translation>Chưa xác thực được người thật</translation>
    </message>
    <message>
        <location filename="../messages.py" line="30"/>
        <source>This copy cannot be reprinted for you</source>
        <translation>Không thể in lại bản sao này</translation>
    </message>
    <message>
        <location filename="../messages.py" line="31"/>
        <location filename="../messages.py" line="32"/>
        <source>The payment has not been confirmed</source>
        <translation>Chưa nhận được xác nhận thanh toán</translation>
    </message>
    <message>
        <location filename="../messages.py" line="35"/>
        <source>The kiosk has a problem</source>
        <translation>Kiosk đang gặp sự cố</translation>
    </message>
    <message>
        <location filename="../messages.py" line="36"/>
        <source>This page looks the same as page %1</source>
        <translation>Trang này giống trang %1</translation>
    </message>
    <message>
        <location filename="../messages.py" line="49"/>
        <source>Press Try again, look at the camera and do each step when it lights up on the screen.</source>
        <translation>Bấm Thử lại, nhìn vào camera và làm theo từng bước khi bước đó sáng lên trên màn hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="63"/>
        <source>A copy is reprinted only for its holder, with the holder&apos;s ID card and face. Staff can help you.</source>
        <translation>Bản sao chỉ được in lại cho chính người được chứng thực, bằng thẻ căn cước và khuôn mặt của người đó. Cán bộ có thể hỗ trợ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="67"/>
        <location filename="../messages.py" line="71"/>
        <source>If you have paid, press Try again: the kiosk asks again. Nothing has been printed or charged twice.</source>
        <translation>Nếu đã chuyển khoản, bấm Thử lại để kiosk kiểm tra lại. Kiosk chưa in gì và không thu phí hai lần.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="81"/>
        <source>This is not your mistake. Please call staff, or start again.</source>
        <translation>Đây không phải lỗi của Ông/Bà. Vui lòng gọi cán bộ hoặc làm lại từ đầu.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="82"/>
        <source>It may have been scanned twice. Scan the next page instead, or keep this one.</source>
        <translation>Có thể trang đã được quét hai lần. Hãy quét trang tiếp theo, hoặc giữ lại trang này.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="93"/>
        <source>Reading the page took too long.</source>
        <translation>Kiosk đọc trang giấy quá lâu.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="97"/>
        <source>Scan again</source>
        <translation>Quét lại</translation>
    </message>
    <message>
        <location filename="../messages.py" line="98"/>
        <source>Try again</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <location filename="../messages.py" line="99"/>
        <source>Call staff</source>
        <translation>Gọi cán bộ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="100"/>
        <source>Start over</source>
        <translation>Làm lại từ đầu</translation>
    </message>
    <message>
        <location filename="../messages.py" line="101"/>
        <source>Get a queue ticket</source>
        <translation>Lấy số thứ tự</translation>
    </message>
    <message>
        <location filename="../messages.py" line="102"/>
        <source>Keep this page</source>
        <translation>Giữ trang này</translation>
    </message>
    <message>
        <location filename="../messages.py" line="106"/>
        <source>Blink your eyes twice</source>
        <translation>Chớp mắt hai lần</translation>
    </message>
    <message>
        <location filename="../messages.py" line="107"/>
        <source>Turn your head slowly to the left</source>
        <translation>Quay đầu từ từ sang trái</translation>
    </message>
    <message>
        <location filename="../messages.py" line="108"/>
        <source>Turn your head slowly to the right</source>
        <translation>Quay đầu từ từ sang phải</translation>
    </message>
    <message>
        <location filename="../messages.py" line="109"/>
        <source>Move your face closer to the camera</source>
        <translation>Đưa khuôn mặt lại gần camera</translation>
    </message>
    <message>
        <location filename="../messages.py" line="113"/>
        <source>Starting</source>
        <translation>Đang chuẩn bị</translation>
    </message>
    <message>
        <location filename="../messages.py" line="114"/>
        <source>Recognising the document</source>
        <translation>Đang nhận dạng giấy tờ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="115"/>
        <source>Giving the copy its code</source>
        <translation>Đang cấp mã cho bản sao</translation>
    </message>
    <message>
        <location filename="../messages.py" line="116"/>
        <source>Signing the copy</source>
        <translation>Đang ký số bản sao</translation>
    </message>
    <message>
        <location filename="../messages.py" line="117"/>
        <source>Saving the record</source>
        <translation>Đang lưu hồ sơ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="118"/>
        <source>Finished</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../messages.py" line="119"/>
        <source>Printing the certified copy</source>
        <translation>Đang in bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../messages.py" line="120"/>
        <source>Printing the receipt</source>
        <translation>Đang in phiếu biên nhận</translation>
    </message>
    <message>
        <location filename="../messages.py" line="121"/>
        <source>Printed</source>
        <translation>Đã in xong</translation>
    </message>
    <message>
        <location filename="../messages.py" line="125"/>
        <source>Pay the fee in cash at the counter. The counter finishes your certified copy.</source>
        <translation>Nộp phí bằng tiền mặt tại quầy. Cán bộ tại quầy sẽ hoàn tất bản sao chứng thực.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="128"/>
        <source>The kiosk cannot certify this document. A clerk will help you at the counter.</source>
        <translation>Kiosk chưa chứng thực được loại giấy tờ này. Cán bộ tại quầy sẽ hỗ trợ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="131"/>
        <source>Your face could not be confirmed. A clerk will check your ID card at the counter.</source>
        <translation>Chưa xác thực được khuôn mặt. Cán bộ tại quầy sẽ kiểm tra thẻ căn cước.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="134"/>
        <source>A clerk will help you finish at the counter.</source>
        <translation>Cán bộ tại quầy sẽ hỗ trợ hoàn tất.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="135"/>
        <source>This kiosk cannot make copies right now. A clerk will serve you at the counter.</source>
        <translation>Ki-ốt tạm thời chưa chứng thực được bản sao. Cán bộ sẽ phục vụ bạn tại quầy.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="138"/>
        <source>Your fee was received. Collect your copy at the counter, at no extra charge.</source>
        <translation>Ki-ốt đã nhận phí của bạn. Mời bạn nhận bản sao tại quầy, không mất thêm phí.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="144"/>
        <source>Status: issued, not yet post-checked by the ward office</source>
        <translation>Tình trạng: đã cấp, chưa được cán bộ hậu kiểm</translation>
    </message>
    <message>
        <location filename="../messages.py" line="145"/>
        <source>Status: post-checked and approved by the ward office</source>
        <translation>Tình trạng: đã được cán bộ hậu kiểm và phê duyệt</translation>
    </message>
    <message>
        <location filename="../messages.py" line="146"/>
        <source>Status: REVOKED by the ward office</source>
        <translation>Tình trạng: ĐÃ BỊ THU HỒI</translation>
    </message>
    <message>
        <location filename="../messages.py" line="147"/>
        <source>Status: not yet known to the city&apos;s system</source>
        <translation>Tình trạng: chưa có trên hệ thống của Thành phố</translation>
    </message>
    <message>
        <location filename="../messages.py" line="148"/>
        <source>The status could not be checked (no network)</source>
        <translation>Chưa tra cứu được tình trạng (không có kết nối mạng)</translation>
    </message>
</context>
<context>
    <name>OutOfServiceScreen</name>
    <message>
        <location filename="../screens_service.py" line="63"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="67"/>
        <source>Out of service</source>
        <translation>Tạm ngừng phục vụ</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="68"/>
        <source>This kiosk cannot make copies right now</source>
        <translation>Ki-ốt tạm thời chưa chứng thực được bản sao</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="70"/>
        <source>Nothing has been charged. Staff have been told. A clerk will serve you at the counter.</source>
        <translation>Bạn chưa bị thu phí. Cán bộ đã được báo và sẽ phục vụ bạn tại quầy.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="75"/>
        <source>Your number</source>
        <translation>Số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="77"/>
        <source>Please go to the counter.</source>
        <translation>Mời bạn đến quầy tiếp nhận.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="82"/>
        <source>Take your queue ticket from the printer.</source>
        <translation>Mời bạn lấy phiếu số thứ tự ở máy in.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="84"/>
        <source>The ticket could not be printed: please remember this number.</source>
        <translation>Không in được phiếu: vui lòng ghi nhớ số này.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="87"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>PaymentScreen</name>
    <message>
        <location filename="../screens_pay.py" line="74"/>
        <source>check and pay</source>
        <translation>kiểm tra và nộp phí</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="75"/>
        <source>Pay the fee</source>
        <translation>Nộp phí</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="78"/>
        <source>Scan the QR code with your banking app (VietQR). The copy prints once the payment is confirmed.</source>
        <translation>Dùng ứng dụng ngân hàng quét mã VietQR. Bản sao được in sau khi có xác nhận thanh toán.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="83"/>
        <source>Amount</source>
        <translation>Số tiền</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="87"/>
        <source>%1 pages × %2 copies, Circular 226/2016/TT-BTC</source>
        <translation>%1 trang × %2 bản, theo Thông tư 226/2016/TT-BTC</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="93"/>
        <source>Payment reference (transfer note)</source>
        <translation>Mã thanh toán (nội dung chuyển khoản)</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="97"/>
        <source>Do not change the amount or the transfer note: they tell the kiosk the payment is yours.</source>
        <translation>Không sửa số tiền và nội dung chuyển khoản để hệ thống nhận đúng khoản thanh toán.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="103"/>
        <source>Preparing the payment…</source>
        <translation>Đang tạo mã thanh toán…</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="105"/>
        <source>Printing your queue ticket…</source>
        <translation>Đang in phiếu số thứ tự…</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="107"/>
        <source>Waiting for the bank&apos;s confirmation…</source>
        <translation>Đang chờ ngân hàng xác nhận…</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="108"/>
        <source>Cancel the payment</source>
        <translation>Hủy thanh toán</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="109"/>
        <source>Pay cash at the counter</source>
        <translation>Nộp tiền mặt tại quầy</translation>
    </message>
</context>
<context>
    <name>PinScreen</name>
    <message>
        <location filename="../screens_other.py" line="256"/>
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="257"/>
        <source>Technician PIN</source>
        <translation>Mã PIN kỹ thuật viên</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="258"/>
        <source>Enter the maintenance PIN and press OK.</source>
        <translation>Nhập mã PIN bảo trì và bấm OK.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="262"/>
        <source>The pad is open again. Enter the PIN.</source>
        <translation>Đã mở khóa. Vui lòng nhập mã PIN.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="265"/>
        <source>Too many wrong PINs. Try again in %d seconds.</source>
        <translation>Nhập sai quá nhiều lần. Thử lại sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="269"/>
        <source>Wrong PIN. %d tries left before the pad locks.</source>
        <translation>Sai mã PIN. Còn %d lần thử trước khi bị khóa.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="272"/>
        <source>No maintenance PIN is configured on this kiosk.</source>
        <translation>Kiosk này chưa được cài mã PIN bảo trì.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="275"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <location filename="../screens_visit.py" line="569"/>
        <source>Reprint a copy</source>
        <translation>In lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="570"/>
        <source>Printing your copy again</source>
        <translation>Đang in lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="571"/>
        <source>Please wait. The copy comes out below.</source>
        <translation>Vui lòng chờ. Bản sao ra ở khay phía dưới.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="573"/>
        <source>printing</source>
        <translation>in</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="574"/>
        <source>Printing your certified copy</source>
        <translation>Đang in bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="575"/>
        <source>Please wait. Your copy and your receipt come out below.</source>
        <translation>Vui lòng chờ. Bản sao và phiếu biên nhận ra ở khay phía dưới.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="577"/>
        <source>certifying</source>
        <translation>chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="578"/>
        <source>Making your certified copy</source>
        <translation>Đang tạo bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="579"/>
        <source>Please wait, this takes a few seconds.</source>
        <translation>Vui lòng chờ trong giây lát.</translation>
    </message>
</context>
<context>
    <name>ReprintScreen</name>
    <message>
        <location filename="../screens_other.py" line="214"/>
        <source>Reprint a copy</source>
        <translation>In lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="215"/>
        <source>Type the code on your receipt</source>
        <translation>Nhập mã in trên phiếu biên nhận</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="217"/>
        <source>Only the holder can reprint: the kiosk then reads your ID card and checks your face.</source>
        <translation>Chỉ người được chứng thực mới được in lại: kiosk sẽ đọc thẻ căn cước và xác thực khuôn mặt.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="220"/>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="222"/>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="221"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <location filename="../screens_visit.py" line="496"/>
        <source>Pages %1: %2 × %3 = %4</source>
        <translation>Trang %1: %2 × %3 = %4</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="504"/>
        <source>At most %s a copy</source>
        <translation>Tối đa %s mỗi bản</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="506"/>
        <source>%1 a copy × %2 copies = %3</source>
        <translation>%1 mỗi bản × %2 bản = %3</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="511"/>
        <source>Fee under Circular 226/2016/TT-BTC of the Ministry of Finance.</source>
        <translation>Mức phí theo Thông tư 226/2016/TT-BTC của Bộ Tài chính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="516"/>
        <source>check and pay</source>
        <translation>kiểm tra và nộp phí</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="517"/>
        <source>Check your request</source>
        <translation>Kiểm tra thông tin yêu cầu</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="519"/>
        <source>Choose how many copies you need and check the fee before you confirm.</source>
        <translation>Chọn số bản sao cần chứng thực và kiểm tra phí trước khi xác nhận.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="523"/>
        <source>Document</source>
        <translation>Giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="524"/>
        <source>Pages</source>
        <translation>Số trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="525"/>
        <source>Copies</source>
        <translation>Số bản</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="526"/>
        <source>Fee</source>
        <translation>Phí</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="533"/>
        <source>E-mail</source>
        <translation>Thư điện tử</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="534"/>
        <source>(optional)</source>
        <translation>(không bắt buộc)</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="535"/>
        <source>Change</source>
        <translation>Sửa</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="535"/>
        <source>Add e-mail</source>
        <translation>Nhập địa chỉ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="540"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="541"/>
        <source>Back to pages</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="543"/>
        <source>Confirm and print</source>
        <translation>Xác nhận và in</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="543"/>
        <source>Confirm and pay</source>
        <translation>Xác nhận và nộp phí</translation>
    </message>
</context>
<context>
    <name>ScanScreen</name>
    <message>
        <location filename="../screens_visit.py" line="396"/>
        <source>your document</source>
        <translation>giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="397"/>
        <source>Place your document on the glass</source>
        <translation>Đặt giấy tờ lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="387"/>
        <source>Remove page %d?</source>
        <translation>Xóa trang %d?</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="388"/>
        <source>The scanned page will be thrown away. You can scan it again afterwards.</source>
        <translation>Trang đã quét sẽ bị xóa. Có thể quét lại sau.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="389"/>
        <source>Remove the page</source>
        <translation>Xóa trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="390"/>
        <source>Keep it</source>
        <translation>Giữ lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="398"/>
        <source>Scan the next page</source>
        <translation>Quét trang tiếp theo</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="402"/>
        <source>One page at a time, face down. Press &quot;%1&quot; for each page, then &quot;%2&quot;.</source>
        <translation>Úp từng trang lên mặt kính. Bấm «%1» cho mỗi trang, rồi bấm «%2».</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="407"/>
        <source>Your face matches your ID card photo.</source>
        <translation>Khuôn mặt khớp với ảnh trên thẻ căn cước.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="409"/>
        <source>Pages scanned: %d</source>
        <translation>Số trang đã quét: %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="410"/>
        <source>No page yet. Place the first page on the glass.</source>
        <translation>Chưa có trang nào. Úp trang đầu tiên lên mặt kính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="420"/>
        <source>Page %d</source>
        <translation>Trang %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="421"/>
        <source>Scan again</source>
        <translation>Quét lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="422"/>
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="428"/>
        <source>Reading the page…</source>
        <translation>Đang đọc trang…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="429"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="398"/>
        <source>Scan the first page</source>
        <translation>Quét trang đầu tiên</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="399"/>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
</context>
<context>
    <name>ScreenBase</name>
    <message>
        <location filename="../widgets.py" line="118"/>
        <source>Help / Call staff</source>
        <translation>Trợ giúp / Gọi cán bộ</translation>
    </message>
</context>
<context>
    <name>TicketScreen</name>
    <message>
        <location filename="../screens_pay.py" line="148"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="152"/>
        <source>Queue ticket</source>
        <translation>Phiếu số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="153"/>
        <source>Take your queue ticket</source>
        <translation>Vui lòng nhận phiếu số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="154"/>
        <source>Wait until your number is called, then go to the counter.</source>
        <translation>Vui lòng chờ gọi số, rồi đến quầy ghi trên phiếu.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="157"/>
        <source>Your number</source>
        <translation>Số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="164"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../screenshots.py" line="118"/>
        <source>End this visit?</source>
        <translation>Hủy giao dịch này?</translation>
    </message>
    <message>
        <location filename="../screenshots.py" line="119"/>
        <source>What you have scanned and entered will be erased. Nothing is printed.</source>
        <translation>Các trang đã quét và thông tin đã nhập sẽ bị xóa. Kiosk không in gì.</translation>
    </message>
    <message>
        <location filename="../screenshots.py" line="120"/>
        <source>Yes, end the visit</source>
        <translation>Hủy giao dịch</translation>
    </message>
    <message>
        <location filename="../screenshots.py" line="121"/>
        <source>No, go back</source>
        <translation>Không, quay lại</translation>
    </message>
</context>
</TS>
