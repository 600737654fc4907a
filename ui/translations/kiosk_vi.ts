<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../screens_visit.py" line="104"/>
        <source>Self-service kiosk</source>
        <translation>Kiosk tự phục vụ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="105"/>
        <source>Certified copies of your documents</source>
        <translation>Chứng thực bản sao giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="106"/>
        <source>Choose your language, then the service you need.</source>
        <translation>Chọn ngôn ngữ, sau đó chọn dịch vụ cần thực hiện.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="112"/>
        <source>Services</source>
        <translation>Dịch vụ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="113"/>
        <source>Certify a copy of a document</source>
        <translation>Chứng thực bản sao giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="114"/>
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="115"/>
        <source>Reprint a copy</source>
        <translation>In lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="117"/>
        <source>Voice</source>
        <translation>Giọng đọc</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="119"/>
        <source>Large text</source>
        <translation>Chữ lớn</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="121"/>
        <source>High contrast</source>
        <translation>Tương phản cao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Please take your ID card and your receipt from the glass.</source>
        <translation>Vui lòng lấy lại thẻ căn cước và biên nhận trên mặt kính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Please take your ID card from the glass.</source>
        <translation>Vui lòng lấy lại thẻ căn cước trên mặt kính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Please take your copy from the glass.</source>
        <translation>Vui lòng lấy lại bản sao trên mặt kính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Please take your receipt from the glass.</source>
        <translation>Vui lòng lấy lại biên nhận trên mặt kính.</translation>
    </message>
</context>
<context>
    <name>CardScreen</name>
    <message>
        <location filename="../screens_visit.py" line="161"/>
        <source>your ID card</source>
        <translation>thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="165"/>
        <source>Place your ID card on the glass</source>
        <translation>Đặt thẻ căn cước lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="163"/>
        <source>Lay your citizen ID card (CCCD) face down on the glass, then press Continue.</source>
        <translation>Úp thẻ căn cước (CCCD) lên mặt kính, rồi bấm “Tiếp tục”.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="153"/>
        <source>Reprint a copy: your ID card</source>
        <translation>In lại bản sao: thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="156"/>
        <source>Only the holder of the copy may reprint it. Lay your citizen ID card (CCCD) face down on the glass, then press Continue.</source>
        <translation>Chỉ người được chứng thực mới được in lại bản sao. Úp thẻ căn cước (CCCD) lên mặt kính, rồi bấm “Tiếp tục”.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="171"/>
        <source>Photo side down: the side with your photo and the QR code faces the glass.</source>
        <translation>Úp mặt có ảnh xuống: mặt có ảnh và mã QR áp vào mặt kính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="173"/>
        <source>Reading your card…</source>
        <translation>Đang đọc thẻ…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="174"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="175"/>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
</context>
<context>
    <name>CheckCopyScreen</name>
    <message>
        <location filename="../screens_other.py" line="61"/>
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="62"/>
        <source>Place the printed copy on the glass</source>
        <translation>Đặt bản sao đã in lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="65"/>
        <source>Lay a page of the copy face down on the glass, with its QR code, then press Check. Or hold the page up to the camera, QR code towards it.</source>
        <translation>Úp một trang của bản sao (trang có mã QR) lên mặt kính, rồi bấm Kiểm tra. Hoặc giơ trang giấy trước camera, mặt có mã QR hướng vào camera.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="72"/>
        <source>Checking the QR code…</source>
        <translation>Đang kiểm tra mã QR…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="73"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="74"/>
        <source>Hold it to the camera</source>
        <translation>Kiểm tra bằng camera</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="76"/>
        <source>Check</source>
        <translation>Kiểm tra</translation>
    </message>
</context>
<context>
    <name>CheckResultScreen</name>
    <message>
        <location filename="../screens_other.py" line="138"/>
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="139"/>
        <source>Result of the check</source>
        <translation>Kết quả kiểm tra</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="131"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="142"/>
        <source>The QR code and the page are checked on this kiosk; the status is asked from the city&apos;s system.</source>
        <translation>Mã QR và nội dung trang được kiểm tra ngay tại kiosk; tình trạng bản sao được tra cứu trên hệ thống của Thành phố.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="154"/>
        <source>This copy has been revoked</source>
        <translation>Bản sao này đã bị thu hồi</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="156"/>
        <source>This is a valid certified copy</source>
        <translation>Đây là bản sao chứng thực hợp lệ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="158"/>
        <source>This copy could not be confirmed</source>
        <translation>Không xác nhận được bản sao này</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="161"/>
        <source>Code: %s</source>
        <translation>Mã: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="164"/>
        <source>Issued: %s</source>
        <translation>Thời điểm chứng thực: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="166"/>
        <source>Pages: %d</source>
        <translation>Số trang: %d</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="173"/>
        <source>Name on the document: %s</source>
        <translation>Họ tên trên giấy tờ: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="176"/>
        <source>Copy requested by: %s</source>
        <translation>Người yêu cầu chứng thực: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="178"/>
        <source>Ask staff to look at the original record.</source>
        <translation>Đề nghị liên hệ cán bộ để đối chiếu hồ sơ gốc.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="182"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>No QR code of a certified copy was found. Lay the page flat, QR code on the glass, and try again.</source>
        <translation>Không tìm thấy mã QR của bản sao chứng thực. Ông/Bà đặt trang giấy phẳng, mã QR áp vào mặt kính, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>This QR code is not the seal of a certified copy.</source>
        <translation>Mã QR này không phải là dấu của bản sao chứng thực.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The QR code has been changed or is damaged.</source>
        <translation>Mã QR đã bị sửa hoặc bị hỏng.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The QR code was not made by a kiosk that this system knows and trusts.</source>
        <translation>Mã QR không do một ki-ốt mà hệ thống này biết và tin cậy tạo ra.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The copy was not signed by an office that this system trusts.</source>
        <translation>Bản sao không được ký bởi cơ quan mà hệ thống này tin cậy.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The kiosk's certificate was not valid when the copy was signed.</source>
        <translation>Chứng thư số của ki-ốt không còn hiệu lực vào lúc ký bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The kiosk's signing key has been withdrawn: its seals from then on are void.</source>
        <translation>Khóa ký của ki-ốt đã bị thu hồi: các dấu tạo từ thời điểm đó trở đi đều vô hiệu.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The QR code belongs to another copy.</source>
        <translation>Mã QR thuộc về một bản sao khác.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The QR code on the page is not this copy's.</source>
        <translation>Mã QR in trên trang không phải là mã của bản sao này.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The page does not match its QR code: the text on the paper differs from what was certified. If this is the copy you were given, lay it flat in good light and check it again.</source>
        <translation>Trang giấy không khớp với mã QR: nội dung trên giấy khác với nội dung đã được chứng thực. Nếu đây là bản sao bạn được cấp, hãy đặt phẳng trang giấy ở nơi đủ sáng và kiểm tra lại.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The text on the page could not be read to compare it with the QR code. Lay it flat and try again.</source>
        <translation>Không đọc được chữ trên trang để so với mã QR. Ông/Bà đặt trang giấy phẳng rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>This copy has been revoked.</source>
        <translation>Bản sao này đã bị thu hồi.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The copy could not be confirmed as genuine.</source>
        <translation>Không xác nhận được đây là bản sao thật.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Copy issued in the older form (VNC1 seal): its QR code holds only the code, the document type, the pages, the dates, the holder's name and the document's number. Compare the rest of the copy by eye.</source>
        <translation>Bản sao cấp theo mẫu cũ (dấu VNC1): mã QR chỉ chứa mã bản sao, loại giấy tờ, số trang, các ngày, họ tên người đứng tên và số giấy tờ. Ông/Bà hãy so sánh phần còn lại bằng mắt.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Document number: %s</source>
        <translation>Số giấy tờ: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Document date: %s</source>
        <translation>Ngày của giấy tờ: %s</translation>
    </message>
</context>
<context>
    <name>CollectScreen</name>
    <message>
        <location filename="../screens_service.py" line="149"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="155"/>
        <source>Fee received</source>
        <translation>Đã nhận phí</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="156"/>
        <source>The printer has a problem: your copy is saved</source>
        <translation>Máy in gặp sự cố: bản sao của Ông/Bà đã được lưu</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="158"/>
        <source>Collect your copy at the counter at no extra charge, with your ID card and this code.</source>
        <translation>Mời Ông/Bà nhận bản sao tại quầy, không mất thêm phí, mang theo CCCD và mã này.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="161"/>
        <source>Fee received: %s</source>
        <translation>Đã nhận phí: %s</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="163"/>
        <source>Code of the copy</source>
        <translation>Mã số bản sao</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="167"/>
        <source>Your number (payment reference %s)</source>
        <translation>Số thứ tự của Ông/Bà (mã thanh toán %s)</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="171"/>
        <source>Payment reference</source>
        <translation>Mã thanh toán</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="176"/>
        <source>Take the slip “Fee received – copy to collect” from the receipt printer.</source>
        <translation>Mời Ông/Bà lấy phiếu “Đã nhận phí – bản sao chờ nhận” ở máy in biên nhận.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="180"/>
        <source>Take the slip “Fee received – copy to collect” from the large printer.</source>
        <translation>Mời Ông/Bà lấy phiếu “Đã nhận phí – bản sao chờ nhận” ở máy in khổ A4.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="183"/>
        <source>No slip could be printed: please write down or photograph this code.</source>
        <translation>Không in được phiếu: vui lòng ghi lại hoặc chụp ảnh mã này.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="189"/>
        <source>Try printing again (free)</source>
        <translation>In lại (miễn phí)</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="191"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <location filename="../screens_visit.py" line="669"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="674"/>
        <source>Finished</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="676"/>
        <source>Your copy has been printed again</source>
        <translation>Bản sao đã được in lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="678"/>
        <source>Your certified copy is ready</source>
        <translation>Bản sao chứng thực đã in xong</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="681"/>
        <source>Anyone can check the copy with its QR code or its code.</source>
        <translation>Bản sao có thể được kiểm tra bằng mã QR hoặc mã số in trên bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="683"/>
        <source>Keep the receipt: it has the code that lets anyone check the copy.</source>
        <translation>Vui lòng giữ phiếu biên nhận: mã số trên phiếu dùng để kiểm tra bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="685"/>
        <source>Code of the copy</source>
        <translation>Mã số bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="690"/>
        <source>The secret to download the copy again is printed on your receipt. Keep it private.</source>
        <translation>Mã bí mật để tải lại bản sao được in trên phiếu biên nhận. Hãy giữ kín mã này.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="696"/>
        <source>Please take your ID card and the reprinted copy.</source>
        <translation>Vui lòng nhận lại thẻ căn cước và bản sao in lại.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="698"/>
        <source>Please take your ID card, your original, the copy and the receipt.</source>
        <translation>Vui lòng nhận lại thẻ căn cước, bản chính, bản sao chứng thực và phiếu biên nhận.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="704"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>The receipt printer is not working: your receipt came out of the large printer, with the copy.</source>
        <translation>Máy in biên nhận đang gặp sự cố: biên nhận của Ông/Bà đã in ra ở máy in khổ A4, cùng với bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Your copy has been printed: the slip “Fee received – copy to collect” is no longer needed.</source>
        <translation>Bản sao đã được in: phiếu “Đã nhận phí – bản sao chờ nhận” không còn cần dùng nữa.</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <location filename="../screens_visit.py" line="806"/>
        <source>There is a problem to resolve</source>
        <translation>Có sự cố cần xử lý</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="854"/>
        <source>Page %d</source>
        <translation>Trang %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="854"/>
        <source>The page just scanned</source>
        <translation>Trang vừa quét</translation>
    </message>
    <message>
        <location filename="../screens_error.py" line="1"/>
        <source>Done, continue with %1</source>
        <translation>Xong, tiếp tục với %1</translation>
    </message>
    <message>
        <location filename="../screens_error.py" line="1"/>
        <source>Back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <location filename="../screens_error.py" line="1"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_error.py" line="1"/>
        <source>It may have been scanned twice. Lay the next page on the glass and press “%1”, or press “%2”.</source>
        <translation>Có thể trang này đã được quét hai lần. Ông/Bà úp trang tiếp theo lên mặt kính rồi bấm “%1”, hoặc bấm “%2”.</translation>
    </message>
    <message>
        <location filename="../screens_error.py" line="1"/>
        <source>If there is no other page, press “%1”.</source>
        <translation>Nếu không còn trang nào khác, Ông/Bà bấm “%1”.</translation>
    </message>
</context>
<context>
    <name>FaceScreen</name>
    <message>
        <location filename="../screens_face.py" line="1"/>
        <source>The camera is not working.</source>
        <translation>Camera không hoạt động.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="251"/>
        <source>your face</source>
        <translation>khuôn mặt</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="252"/>
        <source>Look at the camera</source>
        <translation>Nhìn vào camera</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="249"/>
        <source>Reprint a copy: your face</source>
        <translation>In lại bản sao: khuôn mặt</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="254"/>
        <source>Keep your face inside the oval. Press Start, then do each step as it lights up.</source>
        <translation>Giữ khuôn mặt trong khung hình bầu dục. Bấm Bắt đầu, rồi làm theo từng bước khi bước đó sáng lên.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="259"/>
        <source>When you press Start:</source>
        <translation>Khi bấm Bắt đầu, hãy:</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="261"/>
        <source>Now:</source>
        <translation>Bây giờ:</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="263"/>
        <source>Comparing your face with the card photo…</source>
        <translation>Đang so khớp khuôn mặt với ảnh trên thẻ…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="289"/>
        <source>Move so that your face is inside the oval.</source>
        <translation>Di chuyển để khuôn mặt nằm trong khung hình bầu dục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="291"/>
        <source>Come a little closer to the camera, with your face inside the oval.</source>
        <translation>Vui lòng lại gần camera thêm một chút, giữ khuôn mặt trong khung hình bầu dục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="295"/>
        <source>No face in the picture. Stand in front of the camera with your whole face in the oval.</source>
        <translation>Không thấy khuôn mặt trong khung hình. Vui lòng đứng trước camera để cả khuôn mặt nằm trong khung bầu dục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="299"/>
        <source>Starting the camera…</source>
        <translation>Đang bật camera…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="306"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="307"/>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="307"/>
        <source>Start</source>
        <translation>Bắt đầu</translation>
    </message>
</context>
<context>
    <name>HelpOverlay</name>
    <message>
        <location filename="../overlays.py" line="170"/>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="170"/>
        <source>Please wait a moment.</source>
        <translation>Vui lòng chờ trong giây lát.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="170"/>
        <source>The help light is on and the service centre has been told. Please wait at the kiosk.</source>
        <translation>Đèn báo hỗ trợ đã bật và Trung tâm đã nhận được yêu cầu. Vui lòng chờ tại kiosk.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="170"/>
        <source>Please go to the reception counter.</source>
        <translation>Vui lòng đến quầy tiếp nhận.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="166"/>
        <source>Continue my visit</source>
        <translation>Tiếp tục giao dịch</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="167"/>
        <source>Cancel the call</source>
        <translation>Hủy yêu cầu hỗ trợ</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="168"/>
        <source>End the visit</source>
        <translation>Kết thúc giao dịch</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="172"/>
        <source>Calling staff…</source>
        <translation>Đang gọi cán bộ…</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="173"/>
        <source>Please wait a moment. Your visit is kept.</source>
        <translation>Vui lòng chờ trong giây lát. Giao dịch vẫn được giữ nguyên.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="179"/>
        <source>Staff are on their way</source>
        <translation>Cán bộ đang đến</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="181"/>
        <source>The help light is on and the service centre has been told. Stay at the kiosk: your visit is kept until you end it.</source>
        <translation>Đèn báo hỗ trợ đã bật và Trung tâm đã nhận được yêu cầu. Vui lòng chờ tại kiosk; giao dịch được giữ nguyên cho đến khi Ông/Bà kết thúc.</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="189"/>
        <source>Staff could not be called</source>
        <translation>Chưa gọi được cán bộ</translation>
    </message>
    <message>
        <location filename="../overlays.py" line="190"/>
        <source>Please go to the reception counter. Your visit is kept for a few minutes.</source>
        <translation>Vui lòng đến quầy tiếp nhận. Giao dịch được giữ trong vài phút.</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../window.py" line="144"/>
        <source>Are you still there?</source>
        <translation>Ông/Bà có tiếp tục giao dịch không?</translation>
    </message>
    <message>
        <location filename="../window.py" line="146"/>
        <source>For your privacy, the kiosk will start over and forget your data.</source>
        <translation>Để bảo vệ thông tin cá nhân, kiosk sẽ hủy giao dịch và xóa dữ liệu đã nhập.</translation>
    </message>
    <message>
        <location filename="../window.py" line="147"/>
        <source>I am still here</source>
        <translation>Tiếp tục giao dịch</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../window.py" line="385"/>
        <source>End this visit?</source>
        <translation>Hủy giao dịch này?</translation>
    </message>
    <message>
        <location filename="../window.py" line="386"/>
        <source>What you have scanned and entered will be erased. Nothing is printed.</source>
        <translation>Các trang đã quét và thông tin đã nhập sẽ bị xóa. Kiosk không in gì.</translation>
    </message>
    <message>
        <location filename="../window.py" line="387"/>
        <source>Yes, end the visit</source>
        <translation>Hủy giao dịch</translation>
    </message>
    <message>
        <location filename="../window.py" line="388"/>
        <source>Continue the visit</source>
        <translation>Tiếp tục giao dịch</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens_other.py" line="354"/>
        <source>Test scan</source>
        <translation>Quét thử</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="355"/>
        <source>Camera preview</source>
        <translation>Xem camera</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="356"/>
        <source>Test page</source>
        <translation>In trang thử</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="357"/>
        <source>Receipt test</source>
        <translation>In thử biên nhận</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="360"/>
        <source>Sync now</source>
        <translation>Đồng bộ ngay</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="362"/>
        <location filename="../screens_other.py" line="364"/>
        <location filename="../screens_other.py" line="378"/>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="362"/>
        <source>Clear the staff call</source>
        <translation>Tắt yêu cầu hỗ trợ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="367"/>
        <source>A4 printer: out of paper</source>
        <translation>Máy in A4: hết giấy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="368"/>
        <source>A4 printer: paper jam</source>
        <translation>Máy in A4: kẹt giấy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="369"/>
        <source>A4 printer: unplugged</source>
        <translation>Máy in A4: mất kết nối</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="370"/>
        <source>Receipt printer: out of paper</source>
        <translation>Máy in biên nhận: hết giấy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="371"/>
        <source>Camera: unplugged</source>
        <translation>Camera: mất kết nối</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="372"/>
        <source>Scanner: cover open</source>
        <translation>Máy quét: mở nắp</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="373"/>
        <source>Payer: pays after 60 s</source>
        <translation>Người nộp phí: trả sau 60 giây</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="374"/>
        <source>Payer: bank refuses</source>
        <translation>Người nộp phí: ngân hàng từ chối</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="375"/>
        <source>Payer: never pays</source>
        <translation>Người nộp phí: không trả tiền</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="376"/>
        <source>All back to normal</source>
        <translation>Trở lại bình thường</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="391"/>
        <source>Loading…</source>
        <translation>Đang tải…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="407"/>
        <source>Working…</source>
        <translation>Đang xử lý…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="422"/>
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="423"/>
        <source>Kiosk maintenance</source>
        <translation>Bảo trì kiosk</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="424"/>
        <source>Every action here is written to the audit log.</source>
        <translation>Mọi thao tác tại đây đều được ghi vào nhật ký hệ thống.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="426"/>
        <source>Devices</source>
        <translation>Thiết bị</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="427"/>
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="428"/>
        <source>Certificates</source>
        <translation>Chứng thư số</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="429"/>
        <source>Disk space</source>
        <translation>Dung lượng đĩa</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="430"/>
        <source>Recent logs</source>
        <translation>Nhật ký gần đây</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="431"/>
        <source>Staff call</source>
        <translation>Gọi cán bộ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="432"/>
        <source>Paid, not printed</source>
        <translation>Đã thu phí, chưa in</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="433"/>
        <source>Training</source>
        <translation>Tập huấn</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="448"/>
        <source>Close the program</source>
        <translation>Đóng chương trình</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="449"/>
        <source>Leave maintenance</source>
        <translation>Thoát bảo trì</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../messages.py" line="1"/>
        <source>The camera is not working</source>
        <translation>Camera không hoạt động</translation>
    </message>
    <message>
        <location filename="../messages.py" line="1"/>
        <source>This is not your mistake. Press “Call staff”: staff will come to help you, or press “Get a queue ticket” to be served at the counter.</source>
        <translation>Đây không phải lỗi của Ông/Bà. Ông/Bà hãy bấm “Gọi cán bộ”: cán bộ sẽ đến hỗ trợ, hoặc bấm “Lấy số thứ tự” để được phục vụ tại quầy.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="1"/>
        <source>No face has been seen yet.</source>
        <translation>Chưa thấy khuôn mặt.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="1"/>
        <source>Stand (or sit) in front of the camera with your face inside the oval, then press “Try again”. If you cannot, press “Call staff” or “Get a queue ticket”.</source>
        <translation>Ông/Bà hãy đứng (hoặc ngồi) trước camera, để khuôn mặt nằm trong khung bầu dục, rồi bấm “Thử lại”. Nếu không được, hãy bấm “Gọi cán bộ” hoặc “Lấy số thứ tự”.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="239"/>
        <source>Birth certificate</source>
        <translation>Giấy khai sinh</translation>
    </message>
    <message>
        <location filename="../messages.py" line="240"/>
        <source>Marriage certificate</source>
        <translation>Giấy chứng nhận kết hôn</translation>
    </message>
    <message>
        <location filename="../messages.py" line="241"/>
        <source>Diploma</source>
        <translation>Văn bằng</translation>
    </message>
    <message>
        <location filename="../messages.py" line="242"/>
        <source>Residence confirmation</source>
        <translation>Giấy xác nhận cư trú</translation>
    </message>
    <message>
        <location filename="../messages.py" line="243"/>
        <source>Land use right certificate</source>
        <translation>Giấy chứng nhận quyền sử dụng đất</translation>
    </message>
    <message>
        <location filename="../messages.py" line="244"/>
        <source>Identity card</source>
        <translation>Thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="245"/>
        <source>Other document</source>
        <translation>Giấy tờ khác</translation>
    </message>
    <message>
        <location filename="../messages.py" line="251"/>
        <source>Please take your ID card and your documents from the glass.</source>
        <translation>Vui lòng lấy lại thẻ căn cước và giấy tờ gốc trên mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="258"/>
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
        <location filename="../messages.py" line="54"/>
        <source>Your copy is saved. Staff will refill the paper; then press “Try again”.</source>
        <translation>Bản sao đã được lưu. Cán bộ sẽ nạp thêm giấy, sau đó bấm “Thử lại”.</translation>
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
        <location filename="../messages.py" line="22"/>
        <source>The face check could not be completed</source>
        <translation>Chưa kiểm tra xong khuôn mặt</translation>
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
        <translation>Nhìn thẳng vào camera, bỏ kính và khẩu trang, rồi bấm “Thử lại”.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="46"/>
        <source>Stand in front of the camera so that your whole face is in the frame.</source>
        <translation>Đứng trước camera sao cho cả khuôn mặt nằm trong khung hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="49"/>
        <source>Press “Try again”, look at the camera and do each step when it lights up on the screen.</source>
        <translation>Bấm “Thử lại”, nhìn vào camera và làm từng bước khi bước đó sáng lên trên màn hình.</translation>
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
        <location filename="../messages.py" line="57"/>
        <source>Lay the card or the page face down on the glass, then try again.</source>
        <translation>Úp thẻ hoặc trang giấy lên mặt kính, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="60"/>
        <source>Close the scanner cover gently, then try again.</source>
        <translation>Đóng nắp máy quét, rồi bấm “Thử lại”.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="61"/>
        <source>Please try again. If it happens again, call staff.</source>
        <translation>Vui lòng bấm “Thử lại”. Nếu vẫn không được, bấm “Gọi cán bộ”.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="62"/>
        <source>Check the code on your receipt and type it again.</source>
        <translation>Kiểm tra mã in trên phiếu biên nhận và nhập lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="67"/>
        <location filename="../messages.py" line="71"/>
        <source>If you have paid, press “Try again”: the kiosk asks again. Nothing has been printed or charged twice.</source>
        <translation>Nếu Ông/Bà đã thanh toán, bấm “Thử lại”: kiosk sẽ kiểm tra lại. Không có gì bị in hay bị thu tiền hai lần.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="170"/>
        <source>The page is blurred.</source>
        <translation>Trang giấy bị mờ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="171"/>
        <source>The page is too dark.</source>
        <translation>Trang giấy quá tối.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="172"/>
        <source>Part of the page is cut off.</source>
        <translation>Một phần trang giấy nằm ngoài mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="173"/>
        <source>The page is blank.</source>
        <translation>Trang giấy không có nội dung.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="174"/>
        <source>No text was found on the page.</source>
        <translation>Không đọc được chữ trên trang giấy.</translation>
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
        <location filename="../messages.py" line="63"/>
        <source>A copy is reprinted only for its holder, with the holder&apos;s ID card and face. Staff can help you.</source>
        <translation>Bản sao chỉ được in lại cho chính người được chứng thực, bằng thẻ căn cước và khuôn mặt của người đó. Cán bộ có thể hỗ trợ.</translation>
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
        <location filename="../messages.py" line="90"/>
        <source>The card may be the wrong way round. Turn it over: the side with your photo and the QR code goes face down on the glass, as in the picture.</source>
        <translation>Có thể thẻ đang bị úp ngược. Hãy lật thẻ lại: mặt có ảnh và mã QR úp xuống mặt kính, như trong hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="95"/>
        <source>The page may be the wrong way round. Turn it over: the printed side goes face down on the glass.</source>
        <translation>Có thể trang giấy đang bị úp ngược. Hãy lật lại: mặt có chữ úp xuống mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="100"/>
        <source>Your copy is saved. Press “Try again”; if it happens again, call staff.</source>
        <translation>Bản sao đã được lưu. Bấm “Thử lại”; nếu vẫn lỗi, hãy gọi cán bộ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="103"/>
        <source>Lay your ID card face down on the glass, photo side down, then press “Scan again”.</source>
        <translation>Úp thẻ căn cước lên mặt kính, mặt có ảnh xuống dưới, rồi bấm “Quét lại”.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="106"/>
        <source>Lay the page face down on the glass, then press “Scan again”.</source>
        <translation>Úp trang giấy lên mặt kính, rồi bấm “Quét lại”.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="112"/>
        <source>No QR code was found: this may be the back of the card.</source>
        <translation>Không tìm thấy mã QR: có thể đây là mặt sau của thẻ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="113"/>
        <source>The printed card and its QR code do not agree.</source>
        <translation>Thông tin in trên thẻ và mã QR không khớp nhau.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="114"/>
        <source>The picture of the card could not be used.</source>
        <translation>Ảnh quét của thẻ không dùng được.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="120"/>
        <source>The camera did not see your face.</source>
        <translation>Camera không thấy khuôn mặt của Ông/Bà.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="121"/>
        <source>More than one face was in the picture.</source>
        <translation>Có nhiều hơn một khuôn mặt trong khung hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="122"/>
        <source>Different people were seen during the check.</source>
        <translation>Camera thấy những người khác nhau trong lúc kiểm tra.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="123"/>
        <source>Your face was too far from the camera.</source>
        <translation>Khuôn mặt của Ông/Bà ở quá xa camera.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="124"/>
        <source>The camera gave no picture.</source>
        <translation>Camera không cho hình ảnh.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="125"/>
        <location filename="../messages.py" line="126"/>
        <source>A step was not seen in time.</source>
        <translation>Camera chưa thấy Ông/Bà làm xong một bước kịp thời gian.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="127"/>
        <location filename="../messages.py" line="128"/>
        <location filename="../messages.py" line="129"/>
        <source>The camera did not see your head move.</source>
        <translation>Camera chưa thấy Ông/Bà quay đầu.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="130"/>
        <source>Your face did not match the photo on your card.</source>
        <translation>Khuôn mặt chưa khớp với ảnh trên thẻ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="133"/>
        <source>Stand in front of the camera with your whole face inside the oval, in good light.</source>
        <translation>Đứng trước camera sao cho cả khuôn mặt nằm trong khung hình bầu dục, ở chỗ đủ sáng.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="136"/>
        <location filename="../messages.py" line="139"/>
        <source>Only you should be in front of the camera. Ask others to step back, then try again.</source>
        <translation>Chỉ một mình Ông/Bà đứng trước camera. Nhờ người khác lùi ra, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="142"/>
        <source>Come a little closer, with your face inside the oval.</source>
        <translation>Vui lòng lại gần camera thêm một chút, giữ khuôn mặt trong khung hình bầu dục.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="136"/>
        <source>The camera could not see you directly.</source>
        <translation>Camera chưa nhìn thấy trực tiếp Ông/Bà.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="170"/>
        <source>Stand in front of the camera yourself, without holding up a phone, a screen or a picture, then try again.</source>
        <translation>Ông/Bà hãy tự đứng trước camera, không giơ điện thoại, màn hình hay ảnh lên, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="143"/>
        <source>This is not your mistake. Please call staff.</source>
        <translation>Đây không phải lỗi của Ông/Bà. Vui lòng gọi cán bộ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="144"/>
        <location filename="../messages.py" line="147"/>
        <source>Do each step slowly as soon as it lights up, then look back at the camera.</source>
        <translation>Làm từng bước thật chậm ngay khi bước đó sáng lên, rồi nhìn lại vào camera.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="150"/>
        <location filename="../messages.py" line="154"/>
        <location filename="../messages.py" line="158"/>
        <source>Turn your whole head slowly when asked, not only your eyes, then look back at the camera.</source>
        <translation>Khi được yêu cầu, quay cả đầu thật chậm, không chỉ liếc mắt, rồi nhìn lại vào camera.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="162"/>
        <source>Take off glasses, a hat or a mask, face the light and look straight at the camera, then try again.</source>
        <translation>Bỏ kính, mũ hoặc khẩu trang, quay mặt về phía ánh sáng và nhìn thẳng vào camera, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="175"/>
        <source>Reading the page took too long.</source>
        <translation>Kiosk đọc trang giấy quá lâu.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="179"/>
        <source>Scan again</source>
        <translation>Quét lại</translation>
    </message>
    <message>
        <location filename="../messages.py" line="180"/>
        <source>Try again</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <location filename="../messages.py" line="181"/>
        <source>Call staff</source>
        <translation>Gọi cán bộ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="182"/>
        <source>Start over</source>
        <translation>Làm lại từ đầu</translation>
    </message>
    <message>
        <location filename="../messages.py" line="183"/>
        <source>Get a queue ticket</source>
        <translation>Lấy số thứ tự</translation>
    </message>
    <message>
        <location filename="../messages.py" line="184"/>
        <source>Keep this page</source>
        <translation>Giữ trang này</translation>
    </message>
    <message>
        <location filename="../messages.py" line="188"/>
        <source>Blink your eyes twice</source>
        <translation>Chớp mắt hai lần</translation>
    </message>
    <message>
        <location filename="../messages.py" line="189"/>
        <source>Turn your head slowly to the left</source>
        <translation>Quay đầu từ từ sang trái</translation>
    </message>
    <message>
        <location filename="../messages.py" line="190"/>
        <source>Turn your head slowly to the right</source>
        <translation>Quay đầu từ từ sang phải</translation>
    </message>
    <message>
        <location filename="../messages.py" line="191"/>
        <source>Move your face closer to the camera</source>
        <translation>Đưa khuôn mặt lại gần camera</translation>
    </message>
    <message>
        <location filename="../messages.py" line="195"/>
        <source>Starting</source>
        <translation>Đang chuẩn bị</translation>
    </message>
    <message>
        <location filename="../messages.py" line="196"/>
        <source>Recognising the document</source>
        <translation>Đang nhận dạng giấy tờ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="197"/>
        <source>Giving the copy its code</source>
        <translation>Đang cấp mã cho bản sao</translation>
    </message>
    <message>
        <location filename="../messages.py" line="198"/>
        <source>Signing the copy</source>
        <translation>Đang ký số bản sao</translation>
    </message>
    <message>
        <location filename="../messages.py" line="199"/>
        <source>Saving the record</source>
        <translation>Đang lưu hồ sơ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="200"/>
        <source>Finished</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../messages.py" line="201"/>
        <source>Printing the certified copy</source>
        <translation>Đang in bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../messages.py" line="202"/>
        <source>Printing the receipt</source>
        <translation>Đang in phiếu biên nhận</translation>
    </message>
    <message>
        <location filename="../messages.py" line="203"/>
        <source>Printed</source>
        <translation>Đã in xong</translation>
    </message>
    <message>
        <location filename="../messages.py" line="207"/>
        <source>Pay the fee in cash at the counter. The counter finishes your certified copy.</source>
        <translation>Nộp phí bằng tiền mặt tại quầy. Cán bộ tại quầy sẽ hoàn tất bản sao chứng thực.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="210"/>
        <source>The kiosk cannot certify this document. A clerk will help you at the counter.</source>
        <translation>Kiosk chưa chứng thực được loại giấy tờ này. Cán bộ tại quầy sẽ hỗ trợ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="213"/>
        <source>Your face could not be confirmed. A clerk will check your ID card at the counter.</source>
        <translation>Chưa xác thực được khuôn mặt. Cán bộ tại quầy sẽ kiểm tra thẻ căn cước.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="216"/>
        <source>A clerk will help you finish at the counter.</source>
        <translation>Cán bộ tại quầy sẽ hỗ trợ hoàn tất.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="217"/>
        <source>This kiosk cannot make copies right now. A clerk will serve you at the counter.</source>
        <translation>Ki-ốt tạm thời chưa chứng thực được bản sao. Cán bộ sẽ phục vụ Ông/Bà tại quầy.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="220"/>
        <source>Your fee was received. Collect your copy at the counter, at no extra charge.</source>
        <translation>Ki-ốt đã nhận phí của Ông/Bà. Mời Ông/Bà nhận bản sao tại quầy, không mất thêm phí.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="226"/>
        <source>Status: issued, not yet post-checked by the ward office</source>
        <translation>Tình trạng: đã cấp, chưa được cán bộ hậu kiểm</translation>
    </message>
    <message>
        <location filename="../messages.py" line="227"/>
        <source>Status: post-checked and approved by the ward office</source>
        <translation>Tình trạng: đã được cán bộ hậu kiểm và phê duyệt</translation>
    </message>
    <message>
        <location filename="../messages.py" line="228"/>
        <source>Status: REVOKED by the ward office</source>
        <translation>Tình trạng: ĐÃ BỊ THU HỒI</translation>
    </message>
    <message>
        <location filename="../messages.py" line="229"/>
        <source>Status: not yet known to the city&apos;s system</source>
        <translation>Tình trạng: chưa có trên hệ thống của Thành phố</translation>
    </message>
    <message>
        <location filename="../messages.py" line="230"/>
        <source>The status could not be checked now: the city&apos;s system did not answer</source>
        <translation>Chưa tra cứu được tình trạng lúc này: hệ thống của thành phố chưa trả lời</translation>
    </message>
    <message>
        <location filename="../messages.py" line="309"/>
        <source>%1 page</source>
        <translation>%1 trang</translation>
    </message>
    <message>
        <location filename="../messages.py" line="309"/>
        <source>%1 pages</source>
        <translation>%1 trang</translation>
    </message>
    <message>
        <location filename="../messages.py" line="310"/>
        <source>%1 copy</source>
        <translation>%1 bản</translation>
    </message>
    <message>
        <location filename="../messages.py" line="310"/>
        <source>%1 copies</source>
        <translation>%1 bản</translation>
    </message>
</context>
<context>
    <name>OutOfServiceScreen</name>
    <message>
        <location filename="../screens_service.py" line="68"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="72"/>
        <source>Out of service</source>
        <translation>Tạm ngừng phục vụ</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="73"/>
        <source>This kiosk cannot make copies right now</source>
        <translation>Ki-ốt tạm thời chưa chứng thực được bản sao</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="75"/>
        <source>Nothing has been charged. Staff have been told. A clerk will serve you at the counter.</source>
        <translation>Ông/Bà chưa bị thu phí. Cán bộ đã được báo và sẽ phục vụ Ông/Bà tại quầy.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="80"/>
        <source>Your number</source>
        <translation>Số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="82"/>
        <source>Please go to the counter.</source>
        <translation>Mời Ông/Bà đến quầy tiếp nhận.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="89"/>
        <source>The ticket could not be printed: please remember this number.</source>
        <translation>Không in được phiếu: vui lòng ghi nhớ số này.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="95"/>
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="1"/>
        <source>Staff have been told. A clerk will serve you at the counter.</source>
        <translation>Cán bộ đã được báo và sẽ phục vụ Ông/Bà tại quầy.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="1"/>
        <source>The kiosk comes back by itself once it works again.</source>
        <translation>Kiosk sẽ tự hoạt động lại khi thiết bị được khắc phục.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="1"/>
        <source>Get a queue number</source>
        <translation>Lấy số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="1"/>
        <source>Press “%1” for your turn at the counter.</source>
        <translation>Bấm “%1” để được phục vụ tại quầy.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="1"/>
        <source>Take your queue ticket from the large printer.</source>
        <translation>Mời Ông/Bà lấy phiếu số thứ tự ở máy in khổ A4.</translation>
    </message>
    <message>
        <location filename="../screens_service.py" line="1"/>
        <source>Take your queue ticket from the receipt printer.</source>
        <translation>Mời Ông/Bà lấy phiếu số thứ tự ở máy in biên nhận.</translation>
    </message>
</context>
<context>
    <name>PageOverlay</name>
    <message>
        <location filename="../overlays.py" line="215"/>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
</context>
<context>
    <name>PaymentScreen</name>
    <message>
        <location filename="../screens_pay.py" line="76"/>
        <source>check and pay</source>
        <translation>kiểm tra và nộp phí</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="77"/>
        <source>Pay the fee</source>
        <translation>Nộp phí</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="80"/>
        <source>Scan the QR code with your banking app (VietQR). The copy prints once the payment is confirmed.</source>
        <translation>Dùng ứng dụng ngân hàng quét mã VietQR. Bản sao được in sau khi có xác nhận thanh toán.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="85"/>
        <source>Amount</source>
        <translation>Số tiền</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="89"/>
        <source>%1 × %2, Circular 226/2016/TT-BTC</source>
        <translation>%1 × %2, theo Thông tư 226/2016/TT-BTC</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="95"/>
        <source>Payment reference (transfer note)</source>
        <translation>Mã thanh toán (nội dung chuyển khoản)</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="99"/>
        <source>Do not change the amount or the transfer note: they tell the kiosk the payment is yours.</source>
        <translation>Không sửa số tiền và nội dung chuyển khoản để hệ thống nhận đúng khoản thanh toán.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="105"/>
        <source>Preparing the payment…</source>
        <translation>Đang tạo mã thanh toán…</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="107"/>
        <source>Printing your queue ticket…</source>
        <translation>Đang in phiếu số thứ tự…</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="109"/>
        <source>Waiting for the bank&apos;s confirmation…</source>
        <translation>Đang chờ ngân hàng xác nhận…</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="110"/>
        <source>Cancel the payment</source>
        <translation>Hủy thanh toán</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="111"/>
        <source>Pay cash at the counter</source>
        <translation>Nộp tiền mặt tại quầy</translation>
    </message>
</context>
<context>
    <name>PinScreen</name>
    <message>
        <location filename="../screens_other.py" line="267"/>
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="268"/>
        <source>Technician PIN</source>
        <translation>Mã PIN kỹ thuật viên</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="269"/>
        <source>Enter the maintenance PIN and press OK.</source>
        <translation>Nhập mã PIN bảo trì và bấm OK.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="273"/>
        <source>The pad is open again. Enter the PIN.</source>
        <translation>Đã mở khóa. Vui lòng nhập mã PIN.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="277"/>
        <source>Too many wrong PINs. Try again in %d seconds.</source>
        <translation>Nhập sai quá nhiều lần. Thử lại sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="281"/>
        <source>Wrong PIN. %d tries left before the pad locks.</source>
        <translation>Sai mã PIN. Còn %d lần thử trước khi bị khóa.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="284"/>
        <source>No maintenance PIN is configured on this kiosk.</source>
        <translation>Kiosk này chưa được cài mã PIN bảo trì.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="289"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <source>Fee received: %s</source>
        <translation>Đã nhận phí: %s</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="617"/>
        <source>Reprint a copy</source>
        <translation>In lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="618"/>
        <source>Printing your copy again</source>
        <translation>Đang in lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="619"/>
        <source>Please wait. The copy comes out below.</source>
        <translation>Vui lòng chờ. Bản sao ra ở khay phía dưới.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="621"/>
        <source>printing</source>
        <translation>in</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="622"/>
        <source>Printing your certified copy</source>
        <translation>Đang in bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="623"/>
        <source>Please wait. Your copy and your receipt come out below.</source>
        <translation>Vui lòng chờ. Bản sao và phiếu biên nhận ra ở khay phía dưới.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="625"/>
        <source>certifying</source>
        <translation>chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="626"/>
        <source>Making your certified copy</source>
        <translation>Đang tạo bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="627"/>
        <source>Please wait, this takes a few seconds.</source>
        <translation>Vui lòng chờ trong giây lát.</translation>
    </message>
</context>
<context>
    <name>ReprintScreen</name>
    <message>
        <location filename="../screens_other.py" line="225"/>
        <source>Reprint a copy</source>
        <translation>In lại bản sao</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="226"/>
        <source>Type the code on your receipt</source>
        <translation>Nhập mã in trên phiếu biên nhận</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="228"/>
        <source>Only the holder can reprint: the kiosk then reads your ID card and checks your face.</source>
        <translation>Chỉ người được chứng thực mới được in lại: kiosk sẽ đọc thẻ căn cước và xác thực khuôn mặt.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="231"/>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="233"/>
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="232"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Read the QR on the glass</source>
        <translation>Đọc mã QR trên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Read the QR at the camera</source>
        <translation>Đọc mã QR bằng camera</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Read the QR code on your receipt, or type its code</source>
        <translation>Đọc mã QR trên phiếu biên nhận, hoặc nhập mã</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Lay the receipt on the glass, QR code face down, or hold it up to the camera.</source>
        <translation>Đặt phiếu biên nhận lên mặt kính, mã QR úp xuống, hoặc đưa mã QR vào camera.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Reading the QR code on the glass…</source>
        <translation>Đang đọc mã QR trên mặt kính…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>Reading the QR code at the camera…</source>
        <translation>Đang đọc mã QR qua camera…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The QR code could not be read. Hold the receipt still, QR code towards the camera, and press again. Or type the code below.</source>
        <translation>Chưa đọc được mã QR. Giữ yên phiếu biên nhận, mã QR hướng vào camera, rồi bấm lại. Hoặc nhập mã ở bàn phím bên dưới.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="1"/>
        <source>The QR code could not be read. Lay the receipt flat, QR code face down on the glass, and press again. Or type the code below.</source>
        <translation>Chưa đọc được mã QR. Đặt phẳng phiếu biên nhận, mã QR úp xuống mặt kính, rồi bấm lại. Hoặc nhập mã ở bàn phím bên dưới.</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <location filename="../screens_visit.py" line="544"/>
        <source>Pages %1: %2 × %3 = %4</source>
        <translation>Trang %1: %2 × %3 = %4</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="552"/>
        <source>At most %s a copy</source>
        <translation>Tối đa %s mỗi bản</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="554"/>
        <source>%1 a copy × %2 = %3</source>
        <translation>%1 mỗi bản × %2 = %3</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="559"/>
        <source>Fee under Circular 226/2016/TT-BTC of the Ministry of Finance.</source>
        <translation>Mức phí theo Thông tư 226/2016/TT-BTC của Bộ Tài chính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="564"/>
        <source>check and pay</source>
        <translation>kiểm tra và nộp phí</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="565"/>
        <source>Check your request</source>
        <translation>Kiểm tra thông tin yêu cầu</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="567"/>
        <source>Choose how many copies you need and check the fee before you confirm.</source>
        <translation>Chọn số bản sao cần chứng thực và kiểm tra phí trước khi xác nhận.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="571"/>
        <source>Document</source>
        <translation>Giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="572"/>
        <source>Pages</source>
        <translation>Số trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="573"/>
        <source>Copies</source>
        <translation>Số bản</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="574"/>
        <source>Fee</source>
        <translation>Phí</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="581"/>
        <source>E-mail</source>
        <translation>Thư điện tử</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="582"/>
        <source>(optional)</source>
        <translation>(không bắt buộc)</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="583"/>
        <source>Change</source>
        <translation>Sửa</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="583"/>
        <source>Add e-mail</source>
        <translation>Nhập địa chỉ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="588"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="589"/>
        <source>Back to pages</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="591"/>
        <source>Confirm and print</source>
        <translation>Xác nhận và in</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="591"/>
        <source>Confirm and pay</source>
        <translation>Xác nhận và nộp phí</translation>
    </message>
</context>
<context>
    <name>ScanScreen</name>
    <message>
        <location filename="../screens_visit.py" line="440"/>
        <source>your document</source>
        <translation>giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="441"/>
        <source>Place your document on the glass</source>
        <translation>Đặt giấy tờ lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="430"/>
        <source>Remove page %d?</source>
        <translation>Xóa trang %d?</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="431"/>
        <source>The scanned page will be thrown away. You can scan it again afterwards.</source>
        <translation>Trang đã quét sẽ bị xóa. Có thể quét lại sau.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="432"/>
        <source>Remove the page</source>
        <translation>Xóa trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="433"/>
        <source>Keep it</source>
        <translation>Giữ lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="442"/>
        <source>Scan the next page</source>
        <translation>Quét trang tiếp theo</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="443"/>
        <source>Done, continue</source>
        <translation>Xong, tiếp tục</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="451"/>
        <source>Your face matches your ID card photo.</source>
        <translation>Khuôn mặt khớp với ảnh trên thẻ căn cước.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="453"/>
        <source>Pages scanned: %d</source>
        <translation>Số trang đã quét: %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="454"/>
        <source>No page yet. Place the first page on the glass.</source>
        <translation>Chưa có trang nào. Úp trang đầu tiên lên mặt kính.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="464"/>
        <source>Page %d</source>
        <translation>Trang %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="465"/>
        <source>Scan again</source>
        <translation>Quét lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="466"/>
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="472"/>
        <source>Reading the page…</source>
        <translation>Đang đọc trang…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="473"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="442"/>
        <source>Scan the first page</source>
        <translation>Quét trang đầu tiên</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Same as page %d</source>
        <translation>Trùng trang %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>Lay the next page face down and press “%1”. When every page is scanned, press “%2”.</source>
        <translation>Úp trang tiếp theo lên mặt kính rồi bấm “%1”. Khi đã quét hết các trang, bấm “%2”.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="1"/>
        <source>One page at a time. Lay the first page face down on the glass and press “%1”.</source>
        <translation>Quét từng trang một. Úp trang đầu tiên lên mặt kính rồi bấm “%1”.</translation>
    </message>
</context>
<context>
    <name>Screen.scan</name>
    <message>
        <location filename="../window.py" line="344"/>
        <source>Page %d</source>
        <translation>Trang %d</translation>
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
        <location filename="../screens_pay.py" line="152"/>
        <source>This screen closes in %d s.</source>
        <translation>Màn hình sẽ trở về trang đầu sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="156"/>
        <source>Queue ticket</source>
        <translation>Phiếu số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="157"/>
        <source>Take your queue ticket</source>
        <translation>Vui lòng nhận phiếu số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="158"/>
        <source>Wait until your number is called, then go to the counter.</source>
        <translation>Vui lòng chờ gọi số, rồi đến quầy ghi trên phiếu.</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="161"/>
        <source>Your number</source>
        <translation>Số thứ tự</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="170"/>
        <source>Amount to pay: %s</source>
        <translation>Số tiền cần nộp: %s</translation>
    </message>
    <message>
        <location filename="../screens_pay.py" line="175"/>
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
        <source>Continue the visit</source>
        <translation>Tiếp tục giao dịch</translation>
    </message>
</context>
</TS>
