<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="185"/>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/assisted.py" line="38"/>
        <source>Verification by staff</source>
        <translation>人工核验身份</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/assisted.py" line="39"/>
        <location filename="../../kiosk/ui/screens/done.py" line="68"/>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/assisted.py" line="49"/>
        <source>Your request number: %1</source>
        <translation>您的求助编号：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/assisted.py" line="50"/>
        <source>Calling staff…</source>
        <translation>正在呼叫工作人员…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/assisted.py" line="52"/>
        <source>Time left: %1</source>
        <translation>剩余时间：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="164"/>
        <source>Offline: requests are kept and sent later</source>
        <translation>离线：业务照常办理，数据稍后上传</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="174"/>
        <source>Built-in service list in use</source>
        <translation>正在使用内置服务目录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="162"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="166"/>
        <source>%1 waiting to be sent</source>
        <translation>%1 笔待上传</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="182"/>
        <source>Self-service terminal</source>
        <translation>自助服务终端</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="186"/>
        <source>Cancel</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="199"/>
        <source>A member of staff has been called and will come to help you.</source>
        <translation>已通知工作人员，请稍候，马上来帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="201"/>
        <source>Place your identity document on the reader, or touch Start. Staff at the service desk can help you.</source>
        <translation>请将身份证件放在读卡区，或点击“开始办理”。服务台工作人员可以帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="203"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="216"/>
        <source>Are you still there? Touch the button to continue.</source>
        <translation>您还在吗？请点击按钮继续办理。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="218"/>
        <location filename="../../kiosk/ui/screens/reading.py" line="91"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/attract.py" line="37"/>
        <source>24-hour self-service</source>
        <translation>24小时自助服务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/attract.py" line="38"/>
        <source>Social insurance, housing fund, medical insurance, household registration, civil affairs, tax</source>
        <translation>社保、公积金、医保、户籍、民政、税务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/attract.py" line="40"/>
        <source>Place your identity document on the reader</source>
        <translation>请将身份证件放在读卡区</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/attract.py" line="41"/>
        <source>Touch here to start</source>
        <translation>点击这里开始办理</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/attract.py" line="42"/>
        <source>Open 24 hours. Staff can help you at the service desk.</source>
        <translation>24小时开放。如需帮助，请到服务台找工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/confirm.py" line="34"/>
        <source>Please confirm</source>
        <translation>请确认</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/confirm.py" line="43"/>
        <source>Your document and a receipt will be printed.</source>
        <translation>将为您打印文件和一张回执。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/confirm.py" line="45"/>
        <location filename="../../kiosk/ui/screens/form.py" line="47"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/confirm.py" line="46"/>
        <source>Confirm and print</source>
        <translation>确认并打印</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="51"/>
        <source>Request accepted</source>
        <translation>已受理</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="51"/>
        <source>Done</source>
        <translation>办理完成</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="52"/>
        <source>Your request will be submitted when the district service is back. Keep the receipt.</source>
        <translation>区里的系统恢复后将提交您的申请。请保管好回执。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="54"/>
        <source>Please take your document, your receipt and your identity card.</source>
        <translation>请取走您的文件、回执和身份证件。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="55"/>
        <source>Tracking number: %1</source>
        <translation>业务编号：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="57"/>
        <source>How was this service?</source>
        <translation>您对本次服务满意吗？</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="58"/>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="59"/>
        <source>Not satisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="63"/>
        <source>Thank you for your rating.</source>
        <translation>感谢您的评价。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="65"/>
        <source>Print again</source>
        <translation>再打印一份</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/done.py" line="67"/>
        <source>Another service</source>
        <translation>办理其他业务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/face.py" line="45"/>
        <source>Face check</source>
        <translation>人脸核验</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/face.py" line="46"/>
        <location filename="../../kiosk/ui/screens/printing.py" line="36"/>
        <location filename="../../kiosk/ui/screens/reading.py" line="92"/>
        <source>Try again</source>
        <translation>再试一次</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/face.py" line="49"/>
        <source>No face check: ask staff to verify me</source>
        <translation>不刷脸，请工作人员核验身份</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/form.py" line="48"/>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/menu.py" line="74"/>
        <source>Hello, %1. Please choose a service</source>
        <translation>%1，您好！请选择要办理的业务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/menu.py" line="75"/>
        <source>Please choose a service</source>
        <translation>请选择要办理的业务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/menu.py" line="76"/>
        <source>Search: Chinese, pinyin or initials (e.g. sbjf)</source>
        <translation>搜索：中文、拼音或首字母（如 sbjf）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/menu.py" line="77"/>
        <source>Keyboard</source>
        <translation>键盘</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/menu.py" line="98"/>
        <source>Most used</source>
        <translation>常用业务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/menu.py" line="137"/>
        <source>No service matches your search.</source>
        <translation>没有找到相关业务。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/printing.py" line="32"/>
        <source>Printing</source>
        <translation>正在打印</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/printing.py" line="33"/>
        <source>Please wait. Your document is being prepared and printed.</source>
        <translation>请稍候，正在为您准备并打印文件。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/printing.py" line="37"/>
        <source>Accept my request for later</source>
        <translation>先受理，稍后办理</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/printing.py" line="38"/>
        <source>Back to services</source>
        <translation>返回业务列表</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="84"/>
        <source>Enter your document details</source>
        <translation>请输入证件信息</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="84"/>
        <source>Reading your document</source>
        <translation>正在读取证件</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="85"/>
        <source>Type the document number, date of birth (YYMMDD) and date of expiry (YYMMDD) printed on your document.</source>
        <translation>请输入证件上印有的证件号码、出生日期（年月日六位）和有效期至（年月日六位）。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="87"/>
        <source>Please keep your document on the reader until this is done.</source>
        <translation>读取完成前，请不要移开证件。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="88"/>
        <source>Document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="89"/>
        <source>Date of birth</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="90"/>
        <source>Date of expiry</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/screens/reading.py" line="95"/>
        <source>Or hold the photo page of your document under the camera: the two lines at the bottom are read for you.</source>
        <translation>也可以把证件照片页放在摄像头下，系统会自动识别底部两行字符。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/main_window.py" line="187"/>
        <source>Demo mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/out_of_service.py" line="26"/>
        <source>Out of service</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/out_of_service.py" line="28"/>
        <source>This terminal is not available at the moment. Please go to the service desk: staff will help you.</source>
        <translation>本机暂时无法办理业务，请到服务台，工作人员会为您办理。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/out_of_service.py" line="31"/>
        <source>For staff: the configuration is not safe to serve citizens (%1). Run `kiosk config check` on this terminal.</source>
        <translation>工作人员请注意：本机配置不安全，不能为群众办理业务（%1）。请在本机运行 `kiosk config check`。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/out_of_service.py" line="1"/>
        <source>Nearest staffed counter: %1</source>
        <translation>最近的人工服务窗口：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/out_of_service.py" line="1"/>
        <source>Terminal %1</source>
        <translation>终端编号：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/out_of_service.py" line="1"/>
        <source>For staff: %1</source>
        <translation>工作人员请注意：%1</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>取消作业</translation>
    </message>
    <message>
        <source>Card present</source>
        <translation>有卡</translation>
    </message>
    <message>
        <source>Card read as expected</source>
        <translation>读卡正常</translation>
    </message>
    <message>
        <source>Catalog in use</source>
        <translation>使用中的事项目录</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>Check all again</source>
        <translation>全部重新检查</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>正在检查 %1…</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>无法投递</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区中心</translation>
    </message>
    <message>
        <source>Document reader</source>
        <translation>证件阅读器</translation>
    </message>
    <message>
        <source>Enter this terminal's technicians' PIN.</source>
        <translation>请输入本机的维护人员密码。</translation>
    </message>
    <message>
        <source>External check</source>
        <translation>外部检查</translation>
    </message>
    <message>
        <source>Free disk</source>
        <translation>可用磁盘</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Image sharp, face box on the face</source>
        <translation>图像清晰，人脸框在脸上</translation>
    </message>
    <message>
        <source>Internal check</source>
        <translation>内部检查</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Kiosk</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Last catalog from the district</source>
        <translation>区中心最近的目录</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <source>Last external</source>
        <translation>最近外部检查</translation>
    </message>
    <message>
        <source>Last interactive</source>
        <translation>最近人工确认</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>最近成功同步</translation>
    </message>
    <message>
        <source>Leave technicians' mode</source>
        <translation>退出维护模式</translation>
    </message>
    <message>
        <source>Leave; the terminal stays out of service for what needs these devices</source>
        <translation>仍然退出：需要这些设备的业务继续暂停</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Logs of the last hour</source>
        <translation>最近一小时日志</translation>
    </message>
    <message>
        <source>Make the report</source>
        <translation>生成报告</translation>
    </message>
    <message>
        <source>NOT reachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>Network and sync</source>
        <translation>网络与同步</translation>
    </message>
    <message>
        <source>No camera is fitted on this terminal (the face check is simulated).</source>
        <translation>本机未安装摄像头（人脸核验为模拟）。</translation>
    </message>
    <message>
        <source>No technicians' PIN is set on this terminal: set one with `kiosk technician set-pin`.</source>
        <translation>本机尚未设置维护密码：请用 `kiosk technician set-pin` 设置。</translation>
    </message>
    <message>
        <source>No unfinished job.</source>
        <translation>没有未完成的作业。</translation>
    </message>
    <message>
        <source>Nothing logged in the last hour.</source>
        <translation>最近一小时没有日志。</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Opening the camera…</source>
        <translation>正在打开摄像头…</translation>
    </message>
    <message>
        <source>Page printed legibly</source>
        <translation>页面打印清晰</translation>
    </message>
    <message>
        <source>Print the report</source>
        <translation>打印报告</translation>
    </message>
    <message>
        <source>Printer queue</source>
        <translation>打印队列</translation>
    </message>
    <message>
        <source>Purge every job</source>
        <translation>清除全部作业</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>阅读器</translation>
    </message>
    <message>
        <source>Readiness report</source>
        <translation>就绪报告</translation>
    </message>
    <message>
        <source>Readiness report sent to the printer (job %1).</source>
        <translation>就绪报告已发送到打印机（作业 %1）。</translation>
    </message>
    <message>
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Receipt printed legibly and its QR code scans</source>
        <translation>凭条打印清晰，二维码可扫描</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Resume the queue</source>
        <translation>恢复队列</translation>
    </message>
    <message>
        <source>Run a check</source>
        <translation>运行检查</translation>
    </message>
    <message>
        <source>Running the internal checks…</source>
        <translation>正在运行内部检查…</translation>
    </message>
    <message>
        <source>Software</source>
        <translation>软件</translation>
    </message>
    <message>
        <source>Sound audible</source>
        <translation>声音清晰可闻</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Stay and fix it</source>
        <translation>留下排除故障</translation>
    </message>
    <message>
        <source>Technicians' mode</source>
        <translation>维护模式</translation>
    </message>
    <message>
        <source>The A4 printer writes PDF files to a folder (demo): there is no queue.</source>
        <translation>A4 打印机将 PDF 写入文件夹（演示）：没有打印队列。</translation>
    </message>
    <message>
        <source>The camera is not available: it may be unplugged or failing.</source>
        <translation>摄像头不可用：可能已断开或故障。</translation>
    </message>
    <message>
        <source>The camera stopped delivering pictures: it may be unplugged or failing. The picture comes back here as soon as the camera does.</source>
        <translation>摄像头停止传送画面：可能已断开或故障。摄像头恢复后，画面会自动回到这里。</translation>
    </message>
    <message>
        <source>The terminal cannot go back into service yet</source>
        <translation>终端暂时不能恢复服务</translation>
    </message>
    <message>
        <source>Too many wrong PINs: try again in %1 s.</source>
        <translation>密码错误次数过多：请 %1 秒后再试。</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>What the kiosk saw</source>
        <translation>终端检测结果</translation>
    </message>
    <message>
        <source>Wrong PIN (%1 failed so far).</source>
        <translation>密码错误（已失败 %1 次）。</translation>
    </message>
    <message>
        <source>Wrong PIN. Locked for %1 s.</source>
        <translation>密码错误。已锁定 %1 秒。</translation>
    </message>
    <message>
        <source>accepting jobs</source>
        <translation>接受作业</translation>
    </message>
    <message>
        <source>backlog</source>
        <translation>积压</translation>
    </message>
    <message>
        <source>catalog</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>face found</source>
        <translation>检测到人脸</translation>
    </message>
    <message>
        <source>fallback</source>
        <translation>备用</translation>
    </message>
    <message>
        <source>frames/s</source>
        <translation>帧/秒</translation>
    </message>
    <message>
        <source>generated</source>
        <translation>生成于</translation>
    </message>
    <message>
        <source>last sync</source>
        <translation>最近同步</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>no face</source>
        <translation>未检测到人脸</translation>
    </message>
    <message>
        <source>no test on record</source>
        <translation>无检查记录</translation>
    </message>
    <message>
        <source>reachable</source>
        <translation>可连接</translation>
    </message>
    <message>
        <source>rejecting jobs</source>
        <translation>拒绝作业</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Elders' mode: large text and speech</source>
        <translation>长辈版：大字、语音播报</translation>
    </message>
    <message>
        <source>Leave elders' mode</source>
        <translation>退出长辈版</translation>
    </message>
    <message>
        <source>Elders' mode</source>
        <translation>长辈版</translation>
    </message>
    <message>
        <source>Speech on</source>
        <translation>语音：开</translation>
    </message>
    <message>
        <source>Speech off</source>
        <translation>语音：关</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>再听一遍</translation>
    </message>
    <message>
        <source>Quieter</source>
        <translation>小声</translation>
    </message>
    <message>
        <source>Louder</source>
        <translation>大声</translation>
    </message>
    <message>
        <source>Step %1 of %2: %3</source>
        <translation>第%1步，共%2步：%3</translation>
    </message>
    <message>
        <source>Check your identity</source>
        <translation>核验身份</translation>
    </message>
    <message>
        <source>Choose a service</source>
        <translation>选择业务</translation>
    </message>
    <message>
        <source>Check the details</source>
        <translation>确认信息</translation>
    </message>
    <message>
        <source>Take your document</source>
        <translation>打印取件</translation>
    </message>
    <message>
        <source>You can choose:</source>
        <translation>您可以选择：</translation>
    </message>
    <message>
        <source>Hello, %1. What do you need?</source>
        <translation>%1，您好！您要办理什么？</translation>
    </message>
    <message>
        <source>What do you need?</source>
        <translation>您要办理什么？</translation>
    </message>
    <message>
        <source>Page %1 of %2. Touch the service you need.</source>
        <translation>第%1页，共%2页。请点击您要办理的业务。</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <source>More services</source>
        <translation>更多业务</translation>
    </message>
    <message>
        <source>Other services</source>
        <translation>其他业务</translation>
    </message>
    <message>
        <source>Not here? Touch Other services.</source>
        <translation>这里没有您要办的？请点击“其他业务”。</translation>
    </message>
    <message>
        <source>Which department handles it?</source>
        <translation>由哪个部门办理？</translation>
    </message>
    <message>
        <source>More departments</source>
        <translation>更多部门</translation>
    </message>
    <message>
        <source>What is it about?</source>
        <translation>是哪一类业务？</translation>
    </message>
    <message>
        <source>Which service do you need?</source>
        <translation>您要办理哪项业务？</translation>
    </message>
    <message>
        <source>Page %1 of %2.</source>
        <translation>第%1页，共%2页。</translation>
    </message>
    <message>
        <source>Question %1 of %2: </source>
        <translation>第%1题，共%2题：</translation>
    </message>
    <message>
        <source>?</source>
        <translation>？</translation>
    </message>
    <message>
        <source>Done, next step</source>
        <translation>好了，下一步</translation>
    </message>
    <message>
        <source>%1 months</source>
        <translation>%1个月</translation>
    </message>
    <message>
        <source>Do you need more time? Touch the button to continue.</source>
        <translation>您需要更多时间吗？请点击按钮继续办理。</translation>
    </message>
    <message>
        <source>Yes, I need more time</source>
        <translation>是的，我需要更多时间</translation>
    </message>
    <message>
        <source>Type the number and the two dates printed on your document.</source>
        <translation>请输入证件上印的号码和两个日期。</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="19"/>
        <source>Something went wrong. Please try again or ask staff for help.</source>
        <translation>出了点问题，请再试一次，或请工作人员帮助。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="20"/>
        <source>This terminal is not set up correctly. Please ask staff.</source>
        <translation>本机设置有误，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="21"/>
        <source>A device is not working. Please ask staff for help.</source>
        <translation>设备暂时无法使用，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="22"/>
        <source>Your document could not be read. Please try again.</source>
        <translation>未能读取您的证件，请再试一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="23"/>
        <source>The card reader is not available. Please ask staff.</source>
        <translation>读卡器暂时无法使用，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="24"/>
        <source>Please place your document on the reader.</source>
        <translation>请将证件放在读卡区。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="25"/>
        <source>Your document was moved too early. Please place it on the reader again and keep it still.</source>
        <translation>证件移开得太早了，请重新放好并保持不动。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="26"/>
        <source>The document number or dates do not match this document. Please check and enter them again.</source>
        <translation>证件号码或日期与本证件不符，请核对后重新输入。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="27"/>
        <source>This document could not be read. Please ask staff for help.</source>
        <translation>无法读取此证件，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="28"/>
        <source>This document could not be verified. Staff have been called to help you.</source>
        <translation>此证件未通过验证，已通知工作人员来帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="29"/>
        <source>The chip in this document could not prove that it is genuine. Staff have been called to help you.</source>
        <translation>此证件芯片未能证明其真实性，已通知工作人员来帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="29"/>
        <source>The camera is not working. Please ask staff for help.</source>
        <translation>摄像头暂时无法使用，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="30"/>
        <source>The camera is not available. Please ask staff for help.</source>
        <translation>摄像头暂时无法使用，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="31"/>
        <source>The face check did not work. Please try again.</source>
        <translation>人脸核验未成功，请再试一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="32"/>
        <source>No face was found. Please look at the camera.</source>
        <translation>没有检测到人脸，请看向摄像头。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="33"/>
        <source>The face check did not match your document.</source>
        <translation>人脸与证件照片不一致。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="34"/>
        <source>Please follow the movements shown on the screen.</source>
        <translation>请按屏幕提示做动作。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="35"/>
        <source>The printer is not working. Your document is kept; please ask staff.</source>
        <translation>打印机暂时无法使用，您的文件已保存，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="36"/>
        <source>The printer is offline. Your document is kept and can be printed when it is back.</source>
        <translation>打印机离线，您的文件已保存，恢复后可以打印。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="37"/>
        <source>The printer is out of paper. Staff have been told; your document is kept.</source>
        <translation>打印机缺纸，已通知工作人员，您的文件已保存。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="38"/>
        <source>Printing failed. Your document is kept; you can try again.</source>
        <translation>打印失败，您的文件已保存，可以再试一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="39"/>
        <source>This service could not be completed. Please try again later.</source>
        <translation>该业务暂时无法办理，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="40"/>
        <source>The district service is not reachable right now. We can take your request and process it later, with a claim receipt.</source>
        <translation>暂时连不上区里的系统。我们可以先受理您的申请，稍后办理，并给您打印受理回执。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="41"/>
        <source>Please check the highlighted field.</source>
        <translation>请检查标红的内容。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="42"/>
        <source>Your request could not be saved. Please ask staff for help.</source>
        <translation>您的申请未能保存，请联系工作人员。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="43"/>
        <source>The service list could not be loaded.</source>
        <translation>业务列表无法加载。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="45"/>
        <source>This terminal is out of service for now. We are sorry for the inconvenience: staff at the service desk will gladly help you.</source>
        <translation>本机暂停服务，给您带来不便，敬请谅解。服务台工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="1"/>
        <source>This terminal cannot serve you at the moment. We are sorry: staff at the counter below will gladly help you.</source>
        <translation>本机暂时无法为您办理业务，敬请谅解。请到下方所示的服务窗口，工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="1"/>
        <source>This terminal needs maintenance and is resting for now. Staff at the counter below will gladly help you.</source>
        <translation>本机正在等待维护，暂停服务。请到下方所示的服务窗口，工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="1"/>
        <source>A part of this terminal is not working, so it cannot serve you now. Staff at the counter below will gladly help you.</source>
        <translation>本机部分设备暂时无法使用，暂停服务。请到下方所示的服务窗口，工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="45"/>
        <source>The face check did not match your document. Please try again.</source>
        <translation>人脸与证件照片不一致，请再试一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="46"/>
        <source>We could not be sure. Please look straight at the camera and try again.</source>
        <translation>未能确认，请正视摄像头再试一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="47"/>
        <source>No face was found. Please stand in front of the camera.</source>
        <translation>没有检测到人脸，请站到摄像头前。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="48"/>
        <source>Please follow the movements shown on the screen and try again.</source>
        <translation>请按屏幕提示做动作，再试一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="49"/>
        <source>The camera is not available. Staff have been called to help you.</source>
        <translation>摄像头暂时无法使用，已通知工作人员来帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="50"/>
        <source>The face check did not succeed. Staff have been called to help you.</source>
        <translation>人脸核验未成功，已通知工作人员来帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="52"/>
        <location filename="../../kiosk/i18n/messages.py" line="75"/>
        <source>Staff could not confirm your identity at this terminal, so this session has ended. Please come to the service desk: staff there will gladly help you.</source>
        <translation>工作人员未能在本机确认您的身份，本次办理已结束。请到服务台，工作人员会很乐意为您办理。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="53"/>
        <location filename="../../kiosk/i18n/messages.py" line="76"/>
        <source>Staff could not come in time, so this session has ended. Please come to the service desk: staff there will gladly help you.</source>
        <translation>工作人员未能及时赶到，本次办理已结束。请到服务台，工作人员会很乐意为您办理。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="54"/>
        <location filename="../../kiosk/i18n/messages.py" line="77"/>
        <source>Staff cannot be called from this terminal right now. Please come to the service desk: staff there will gladly help you.</source>
        <translation>本机暂时无法呼叫工作人员。请到服务台，工作人员会很乐意为您办理。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="56"/>
        <source>Please look at the camera.</source>
        <translation>请看向摄像头。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="57"/>
        <source>Please move a little closer.</source>
        <translation>请再靠近一点。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="58"/>
        <source>Please move back a little.</source>
        <translation>请稍微往后一点。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="59"/>
        <source>Only one person in front of the camera, please.</source>
        <translation>请保持镜头前只有一个人。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="60"/>
        <source>Slowly turn your head to the left.</source>
        <translation>请慢慢向左转头。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="61"/>
        <source>Slowly turn your head to the right.</source>
        <translation>请慢慢向右转头。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="62"/>
        <source>Please blink.</source>
        <translation>请眨眨眼。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="63"/>
        <source>Hold still, checking...</source>
        <translation>请保持不动，正在核验……</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="64"/>
        <source>It is too dark. Please face the light.</source>
        <translation>光线太暗，请面向光源。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="65"/>
        <source>It is too bright.</source>
        <translation>光线太亮。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="66"/>
        <source>Please hold still.</source>
        <translation>请保持不动。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="68"/>
        <source>Please place your identity document on the reader.</source>
        <translation>请将身份证件放在读卡区。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="69"/>
        <source>Please enter the document number and dates printed on your document.</source>
        <translation>请输入证件上印有的证件号码和日期。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="70"/>
        <source>Your document could not be read.</source>
        <translation>未能读取您的证件。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="71"/>
        <source>Please look at the camera and follow the instructions.</source>
        <translation>请看向摄像头，并按提示做动作。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="72"/>
        <source>Please try the face check again.</source>
        <translation>请再做一次人脸核验。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="73"/>
        <source>Staff have been called to help you.</source>
        <translation>已通知工作人员来帮您。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="74"/>
        <source>Please wait here. A member of staff is coming to check your identity document.</source>
        <translation>请在此稍候，工作人员马上过来核验您的身份证件。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="78"/>
        <source>Thank you. Please choose a service.</source>
        <translation>谢谢，请选择要办理的业务。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="79"/>
        <source>Please wait, your document is being printed.</source>
        <translation>请稍候，正在为您打印。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="80"/>
        <source>This service could not be completed.</source>
        <translation>该业务暂时无法办理。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="81"/>
        <source>Printing failed.</source>
        <translation>打印失败。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="82"/>
        <source>Done. Please take your document and your identity card.</source>
        <translation>办理完成，请取走您的文件和身份证件。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="83"/>
        <source>Your request has been accepted. Please keep the receipt.</source>
        <translation>您的申请已受理，请保管好回执。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="84"/>
        <source>Thank you for your rating.</source>
        <translation>感谢您的评价。</translation>
    </message>
    <message>
        <location filename="../../kiosk/i18n/messages.py" line="85"/>
        <source>Are you still there? Touch the screen to continue.</source>
        <translation>您还在吗？请点击屏幕继续。</translation>
    </message>
    <message>
        <source>This terminal is out of service for now because its identity card reader is not working. We are sorry: please go to %1, where staff will gladly help you.</source>
        <translation>本机身份证阅读器故障，暂停服务，敬请谅解。请前往%1，工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <source>This terminal is out of service for now because its camera is not working. We are sorry: please go to %1, where staff will gladly help you.</source>
        <translation>本机摄像头故障，暂停服务，敬请谅解。请前往%1，工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <source>This terminal is being serviced and will be back shortly. We are sorry for the wait: staff at %1 will gladly help you.</source>
        <translation>本机正在维护，稍后恢复服务，敬请谅解。%1的工作人员将竭诚为您服务。</translation>
    </message>
    <message>
        <source>Temporarily unavailable: the printer has run out of paper.</source>
        <translation>暂不可用：打印机缺纸。</translation>
    </message>
    <message>
        <source>Temporarily unavailable: the printer is not working.</source>
        <translation>暂不可用：打印机故障。</translation>
    </message>
    <message>
        <source>Temporarily unavailable: the receipt printer has run out of paper.</source>
        <translation>暂不可用：凭条打印机缺纸。</translation>
    </message>
    <message>
        <source>Temporarily unavailable: the receipt printer is not working.</source>
        <translation>暂不可用：凭条打印机故障。</translation>
    </message>
    <message>
        <source>Do you need more time? Touch the button to continue.</source>
        <translation>您需要更多时间吗？请点击按钮继续办理。</translation>
    </message>
</context>
</TS>
