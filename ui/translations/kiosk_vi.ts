<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../screens_visit.py" line="65" />
        <source>Self-service kiosk</source>
        <translation>Kiosk tự phục vụ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="66" />
        <source>Certified copies of your documents</source>
        <translation>Chứng thực bản sao giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="67" />
        <source>Choose your language, then the service you need.</source>
        <translation>Chọn ngôn ngữ, sau đó chọn dịch vụ bạn cần.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="72" />
        <source>Services</source>
        <translation>Dịch vụ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="73" />
        <source>Certify a copy of a document</source>
        <translation>Chứng thực bản sao giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="74" />
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="75" />
        <source>Reprint by code</source>
        <translation>In lại theo mã</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="77" />
        <source>Voice: on</source>
        <translation>Giọng nói: bật</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="77" />
        <source>Voice: off</source>
        <translation>Giọng nói: tắt</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="79" />
        <source>Large text</source>
        <translation>Chữ lớn</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="81" />
        <source>High contrast</source>
        <translation>Tương phản cao</translation>
    </message>
</context>
<context>
    <name>CardScreen</name>
    <message>
        <location filename="../screens_visit.py" line="99" />
        <source>your ID card</source>
        <translation>thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="100" />
        <source>Place your ID card on the glass</source>
        <translation>Đặt thẻ căn cước lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="102" />
        <source>Lay your citizen ID card (CCCD) face down on the glass, then press Continue.</source>
        <translation>Úp thẻ căn cước công dân (CCCD) lên mặt kính, rồi bấm Tiếp tục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="107" />
        <source>Reading your card…</source>
        <translation>Đang đọc thẻ…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="108" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="109" />
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
</context>
<context>
    <name>CheckCopyScreen</name>
    <message>
        <location filename="../screens_other.py" line="36" />
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="37" />
        <source>Place the certified copy on the glass</source>
        <translation>Đặt bản sao chứng thực lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="39" />
        <source>Lay a page with the QR seal face down on the glass, then press Check.</source>
        <translation>Úp một trang có mã QR lên mặt kính, rồi bấm Kiểm tra.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="44" />
        <source>Checking the seal…</source>
        <translation>Đang kiểm tra dấu…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="45" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="46" />
        <source>Check</source>
        <translation>Kiểm tra</translation>
    </message>
</context>
<context>
    <name>CheckResultScreen</name>
    <message>
        <location filename="../screens_other.py" line="67" />
        <source>Check a certified copy</source>
        <translation>Kiểm tra bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="68" />
        <source>Result of the check</source>
        <translation>Kết quả kiểm tra</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="69" />
        <source>The seal is checked on this kiosk, without a network.</source>
        <translation>Dấu được kiểm tra ngay trên kiosk, không cần mạng.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="74" />
        <source>This is a valid certified copy</source>
        <translation>Đây là bản sao chứng thực hợp lệ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="76" />
        <source>This copy could not be confirmed</source>
        <translation>Không xác nhận được bản sao này</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="80" />
        <source>Code: %s</source>
        <translation>Mã: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="83" />
        <source>Issued: %s</source>
        <translation>Ngày cấp: %s</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="85" />
        <source>Pages: %d</source>
        <translation>Số trang: %d</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="89" />
        <source>Ask staff to look at the original record.</source>
        <translation>Vui lòng nhờ cán bộ kiểm tra hồ sơ gốc.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="91" />
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <location filename="../screens_visit.py" line="336" />
        <source>Finished</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="338" />
        <source>Your copy has been printed again</source>
        <translation>Bản sao của bạn đã được in lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="340" />
        <source>Your certified copy is ready</source>
        <translation>Bản sao chứng thực của bạn đã sẵn sàng</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="342" />
        <source>Keep the receipt: the code lets anyone check the copy.</source>
        <translation>Hãy giữ biên nhận: mã số giúp kiểm tra bản sao.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="343" />
        <source>Your code</source>
        <translation>Mã của bạn</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="346" />
        <source>Please take your documents</source>
        <translation>Vui lòng nhận lại giấy tờ của bạn</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="348" />
        <source>Please take your ID card, your original, the copy and the receipt.</source>
        <translation>Vui lòng nhận lại thẻ căn cước, bản chính, bản sao và biên nhận.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="350" />
        <source>Finish</source>
        <translation>Hoàn tất</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <location filename="../screens_visit.py" line="376" />
        <source>We need your help</source>
        <translation>Cần bạn hỗ trợ</translation>
    </message>
</context>
<context>
    <name>FaceScreen</name>
    <message>
        <location filename="../screens_visit.py" line="127" />
        <source>your face</source>
        <translation>khuôn mặt</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="128" />
        <source>Look at the camera</source>
        <translation>Nhìn vào camera</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="131" />
        <source>Keep your face inside the oval. When you are ready, press Start and follow the instruction.</source>
        <translation>Giữ khuôn mặt trong khung bầu dục. Khi sẵn sàng, bấm Bắt đầu và làm theo hướng dẫn.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="136" />
        <source>When you press Start:</source>
        <translation>Khi bấm Bắt đầu, hãy:</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="137" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="138" />
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="138" />
        <source>Start</source>
        <translation>Bắt đầu</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../window.py" line="119" />
        <source>Are you still there?</source>
        <translation>Bạn vẫn còn ở đây chứ?</translation>
    </message>
    <message>
        <location filename="../window.py" line="121" />
        <source>For your privacy, the kiosk will start over and forget your data.</source>
        <translation>Để bảo vệ thông tin, kiosk sẽ bắt đầu lại và xóa dữ liệu của bạn.</translation>
    </message>
    <message>
        <location filename="../window.py" line="122" />
        <source>I am still here</source>
        <translation>Tôi vẫn ở đây</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens_other.py" line="224" />
        <source>Test scan</source>
        <translation>Quét thử</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="225" />
        <source>Camera preview</source>
        <translation>Xem camera</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="226" />
        <source>Test page</source>
        <translation>In trang thử</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="227" />
        <source>Receipt test</source>
        <translation>In thử biên nhận</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="230" />
        <source>Sync now</source>
        <translation>Đồng bộ ngay</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="231" />
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="242" />
        <source>Working…</source>
        <translation>Đang xử lý…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="255" />
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="256" />
        <source>Kiosk maintenance</source>
        <translation>Bảo trì kiosk</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="257" />
        <source>Every action here is written to the audit log.</source>
        <translation>Mọi thao tác ở đây đều được ghi vào nhật ký kiểm toán.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="259" />
        <source>Devices</source>
        <translation>Thiết bị</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="260" />
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="261" />
        <source>Certificates</source>
        <translation>Chứng thư số</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="262" />
        <source>Disk space</source>
        <translation>Dung lượng đĩa</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="263" />
        <source>Recent logs</source>
        <translation>Nhật ký gần đây</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="276" />
        <source>Close the program</source>
        <translation>Đóng chương trình</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="277" />
        <source>Leave maintenance</source>
        <translation>Thoát bảo trì</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../messages.py" line="112" />
        <source>Step {n} of {total}: {what}</source>
        <translation>Bước {n}/{total}: {what}</translation>
    </message>
    <message>
        <location filename="../messages.py" line="17" />
        <source>We could not read your ID card</source>
        <translation>Không đọc được thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="18" />
        <source>Your face does not match the card</source>
        <translation>Khuôn mặt không khớp với ảnh trên thẻ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="19" />
        <source>We could not see a face</source>
        <translation>Không nhận thấy khuôn mặt</translation>
    </message>
    <message>
        <location filename="../messages.py" line="20" />
        <source>Please follow the instruction on the screen</source>
        <translation>Vui lòng làm theo hướng dẫn trên màn hình</translation>
    </message>
    <message>
        <location filename="../messages.py" line="21" />
        <source>Please place the page again</source>
        <translation>Vui lòng đặt lại trang giấy</translation>
    </message>
    <message>
        <location filename="../messages.py" line="22" />
        <source>No page has been scanned yet</source>
        <translation>Chưa quét trang nào</translation>
    </message>
    <message>
        <location filename="../messages.py" line="23" />
        <source>The printer is out of paper</source>
        <translation>Máy in đã hết giấy</translation>
    </message>
    <message>
        <location filename="../messages.py" line="24" />
        <source>Nothing was found on the glass</source>
        <translation>Không thấy giấy tờ trên mặt kính</translation>
    </message>
    <message>
        <location filename="../messages.py" line="25" />
        <source>The scanner cover is open</source>
        <translation>Nắp máy quét đang mở</translation>
    </message>
    <message>
        <location filename="../messages.py" line="26" />
        <source>A device is not working</source>
        <translation>Một thiết bị đang gặp sự cố</translation>
    </message>
    <message>
        <location filename="../messages.py" line="27" />
        <source>We could not find this code</source>
        <translation>Không tìm thấy mã này</translation>
    </message>
    <message>
        <location filename="../messages.py" line="28" />
        <source>Something went wrong</source>
        <translation>Đã xảy ra lỗi</translation>
    </message>
    <message>
        <location filename="../messages.py" line="32" />
        <source>Lay the card face down, flat on the glass, with the QR code fully on the glass.</source>
        <translation>Úp thẻ phẳng trên mặt kính, để toàn bộ mã QR nằm trên mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="35" />
        <source>Look straight at the camera in good light, without glasses or a mask, and try again.</source>
        <translation>Nhìn thẳng vào camera ở nơi đủ sáng, không đeo kính hay khẩu trang, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="38" />
        <source>Stand in front of the camera so that your whole face is in the frame.</source>
        <translation>Đứng trước camera sao cho cả khuôn mặt nằm trong khung hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="41" />
        <source>Look at the camera and do what the screen asks.</source>
        <translation>Nhìn vào camera và làm theo yêu cầu trên màn hình.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="42" />
        <source>Lay the page flat, face down, and close the cover.</source>
        <translation>Úp trang giấy phẳng trên mặt kính và đóng nắp lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="43" />
        <source>Place the first page of your document on the glass.</source>
        <translation>Đặt trang đầu tiên của giấy tờ lên mặt kính.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="44" />
        <source>Your copy is saved. Staff will refill the paper; then press Try again.</source>
        <translation>Bản sao đã được lưu. Cán bộ sẽ thêm giấy, sau đó bấm Thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="47" />
        <source>Lay the card or the page face down on the glass, then try again.</source>
        <translation>Úp thẻ hoặc trang giấy lên mặt kính, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="50" />
        <source>Close the scanner cover gently, then try again.</source>
        <translation>Nhẹ nhàng đóng nắp máy quét, rồi thử lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="51" />
        <source>Please try again. If it happens again, call staff.</source>
        <translation>Vui lòng thử lại. Nếu vẫn lỗi, hãy gọi cán bộ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="52" />
        <source>Check the code on your receipt and type it again.</source>
        <translation>Kiểm tra mã trên biên nhận và nhập lại.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="53" />
        <source>Your data has not been kept. Please call staff or start again.</source>
        <translation>Dữ liệu của bạn không được lưu lại. Vui lòng gọi cán bộ hoặc làm lại từ đầu.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="59" />
        <source>The page is blurred.</source>
        <translation>Trang giấy bị mờ.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="60" />
        <source>The page is too dark.</source>
        <translation>Trang giấy quá tối.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="61" />
        <source>Part of the page is cut off.</source>
        <translation>Một phần trang giấy bị cắt mất.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="62" />
        <source>The page is blank.</source>
        <translation>Trang giấy để trống.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="63" />
        <source>No text was found on the page.</source>
        <translation>Không tìm thấy chữ trên trang giấy.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="64" />
        <source>The page took too long to read.</source>
        <translation>Trang giấy đọc quá lâu.</translation>
    </message>
    <message>
        <location filename="../messages.py" line="68" />
        <source>Scan again</source>
        <translation>Quét lại</translation>
    </message>
    <message>
        <location filename="../messages.py" line="69" />
        <source>Try again</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <location filename="../messages.py" line="70" />
        <source>Call staff</source>
        <translation>Gọi cán bộ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="71" />
        <source>Start over</source>
        <translation>Làm lại từ đầu</translation>
    </message>
    <message>
        <location filename="../messages.py" line="75" />
        <source>Blink your eyes twice</source>
        <translation>Chớp mắt hai lần</translation>
    </message>
    <message>
        <location filename="../messages.py" line="76" />
        <source>Turn your head slowly to the left</source>
        <translation>Từ từ quay đầu sang trái</translation>
    </message>
    <message>
        <location filename="../messages.py" line="77" />
        <source>Turn your head slowly to the right</source>
        <translation>Từ từ quay đầu sang phải</translation>
    </message>
    <message>
        <location filename="../messages.py" line="78" />
        <source>Move your face closer to the camera</source>
        <translation>Đưa khuôn mặt lại gần camera</translation>
    </message>
    <message>
        <location filename="../messages.py" line="82" />
        <source>Starting</source>
        <translation>Đang bắt đầu</translation>
    </message>
    <message>
        <location filename="../messages.py" line="83" />
        <source>Recognising the document</source>
        <translation>Đang nhận dạng giấy tờ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="84" />
        <source>Giving the copy its code</source>
        <translation>Đang cấp mã cho bản sao</translation>
    </message>
    <message>
        <location filename="../messages.py" line="85" />
        <source>Signing the copy</source>
        <translation>Đang ký số bản sao</translation>
    </message>
    <message>
        <location filename="../messages.py" line="86" />
        <source>Saving the record</source>
        <translation>Đang lưu hồ sơ</translation>
    </message>
    <message>
        <location filename="../messages.py" line="87" />
        <source>Finished</source>
        <translation>Hoàn tất</translation>
    </message>
    <message>
        <location filename="../messages.py" line="88" />
        <source>Printing the certified copy</source>
        <translation>Đang in bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../messages.py" line="89" />
        <source>Printing the receipt</source>
        <translation>Đang in biên nhận</translation>
    </message>
    <message>
        <location filename="../messages.py" line="90" />
        <source>Printed</source>
        <translation>Đã in xong</translation>
    </message>
    <message>
        <location filename="../messages.py" line="94" />
        <source>Birth certificate</source>
        <translation>Giấy khai sinh</translation>
    </message>
    <message>
        <location filename="../messages.py" line="95" />
        <source>Marriage certificate</source>
        <translation>Giấy chứng nhận kết hôn</translation>
    </message>
    <message>
        <location filename="../messages.py" line="96" />
        <source>Diploma</source>
        <translation>Văn bằng</translation>
    </message>
    <message>
        <location filename="../messages.py" line="97" />
        <source>Residence confirmation</source>
        <translation>Giấy xác nhận cư trú</translation>
    </message>
    <message>
        <location filename="../messages.py" line="98" />
        <source>Land use right certificate</source>
        <translation>Giấy chứng nhận quyền sử dụng đất</translation>
    </message>
    <message>
        <location filename="../messages.py" line="99" />
        <source>Identity card</source>
        <translation>Thẻ căn cước</translation>
    </message>
    <message>
        <location filename="../messages.py" line="100" />
        <source>Other document</source>
        <translation>Giấy tờ khác</translation>
    </message>
</context>
<context>
    <name>PinScreen</name>
    <message>
        <location filename="../screens_other.py" line="155" />
        <source>Maintenance</source>
        <translation>Bảo trì</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="156" />
        <source>Technician PIN</source>
        <translation>Mã PIN kỹ thuật viên</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="157" />
        <source>Enter the maintenance PIN and press OK.</source>
        <translation>Nhập mã PIN bảo trì và bấm OK.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="161" />
        <source>The pad is open again. Enter the PIN.</source>
        <translation>Bàn phím đã mở lại. Hãy nhập mã PIN.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="164" />
        <source>Too many wrong PINs. Try again in %d seconds.</source>
        <translation>Nhập sai quá nhiều lần. Thử lại sau %d giây.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="168" />
        <source>Wrong PIN. %d tries left before the pad locks.</source>
        <translation>Sai mã PIN. Còn %d lần thử trước khi bị khóa.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="171" />
        <source>No maintenance PIN is configured on this kiosk.</source>
        <translation>Kiosk này chưa được cài mã PIN bảo trì.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="174" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <location filename="../screens_visit.py" line="303" />
        <source>printing</source>
        <translation>in</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="304" />
        <source>Printing your certified copy</source>
        <translation>Đang in bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="305" />
        <source>Please wait. Your copy and your receipt come out below.</source>
        <translation>Vui lòng chờ. Bản sao và biên nhận sẽ ra ở phía dưới.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="307" />
        <source>certifying</source>
        <translation>chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="308" />
        <source>Making your certified copy</source>
        <translation>Đang tạo bản sao chứng thực</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="309" />
        <source>Please wait, this takes a few seconds.</source>
        <translation>Vui lòng chờ trong giây lát.</translation>
    </message>
</context>
<context>
    <name>ReprintScreen</name>
    <message>
        <location filename="../screens_other.py" line="116" />
        <source>Reprint by code</source>
        <translation>In lại theo mã</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="117" />
        <source>Type the code on your receipt</source>
        <translation>Nhập mã in trên biên nhận</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="118" />
        <source>The copy is printed again as it was certified.</source>
        <translation>Bản sao được in lại đúng như khi được chứng thực.</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="120" />
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="121" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_other.py" line="122" />
        <source>Print again</source>
        <translation>In lại</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <location filename="../screens_visit.py" line="262" />
        <source>check and pay</source>
        <translation>kiểm tra và lệ phí</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="263" />
        <source>Check your request</source>
        <translation>Kiểm tra yêu cầu của bạn</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="265" />
        <source>Choose how many copies you need and check the fee before you confirm.</source>
        <translation>Chọn số bản sao cần in và kiểm tra lệ phí trước khi xác nhận.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="269" />
        <source>Document</source>
        <translation>Giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="270" />
        <source>Pages</source>
        <translation>Số trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="271" />
        <source>Copies</source>
        <translation>Số bản</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="272" />
        <source>Fee</source>
        <translation>Lệ phí</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="281" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="282" />
        <source>Back to pages</source>
        <translation>Quay lại các trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="283" />
        <source>Confirm and print</source>
        <translation>Xác nhận và in</translation>
    </message>
</context>
<context>
    <name>ScanScreen</name>
    <message>
        <location filename="../screens_visit.py" line="188" />
        <source>your document</source>
        <translation>giấy tờ</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="189" />
        <source>Place your document on the glass</source>
        <translation>Đặt giấy tờ lên mặt kính</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="191" />
        <source>One page at a time, face down. Press Add a page for each page, then Continue.</source>
        <translation>Úp từng trang một lên mặt kính. Bấm Thêm trang cho mỗi trang, rồi bấm Tiếp tục.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="194" />
        <source>No page yet. Place the first page and press Scan the first page.</source>
        <translation>Chưa có trang nào. Đặt trang đầu tiên rồi bấm Quét trang đầu tiên.</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="207" />
        <source>Page %d</source>
        <translation>Trang %d</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="208" />
        <source>Scan again</source>
        <translation>Quét lại</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="209" />
        <source>Remove</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="216" />
        <source>Reading the page…</source>
        <translation>Đang đọc trang…</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="217" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="218" />
        <source>Add a page</source>
        <translation>Thêm trang</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="218" />
        <source>Scan the first page</source>
        <translation>Quét trang đầu tiên</translation>
    </message>
    <message>
        <location filename="../screens_visit.py" line="219" />
        <source>Continue</source>
        <translation>Tiếp tục</translation>
    </message>
</context>
</TS>
