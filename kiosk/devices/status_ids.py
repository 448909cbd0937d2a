"""Every status id a device can report, declared once: its health, state, power, who clears it, and the fix.

The ids are stable (technicians quote them on the phone, the district counts them): rename one only with a note
in docs. A check refers to an id by name; an id missing here is a `KeyError` at the first test that reaches it,
never a made-up status at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.devices.health import DeviceState, DeviceStatus, Health, MediaState, PowerState, Recovery

P, W, F = Health.PASS, Health.WARN, Health.FAIL
IDLE, BUSY, ERROR, CLOSED = DeviceState.IDLE, DeviceState.BUSY, DeviceState.ERROR, DeviceState.CLOSED
ON, OFF, OFFLINE, OFF_OFFLINE, UNKNOWN = (PowerState.ONLINE, PowerState.OFF, PowerState.OFFLINE, PowerState.OFF_OFFLINE,
                                       PowerState.UNKNOWN)
SELF, PERSON, NONE = Recovery.SELF, Recovery.PERSON, Recovery.NONE


@dataclass(frozen=True)
class StatusEntry:
    health: Health
    state: DeviceState
    power: PowerState
    recovery: Recovery
    fix_zh: str
    fix_en: str


NOTHING_ZH, NOTHING_EN = "无需处理。", "Nothing to do."

STATUS_IDS: dict[str, StatusEntry] = {
    # --- document reader (PC/SC) ---
    "RDR-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "RDR-CARD-PRESENT": StatusEntry(P, IDLE, ON, NONE, "读卡器上有证件；如无人办理，请取走遗留证件并登记。",
                                    "A document is on the reader; if nobody is using the kiosk, remove it and "
                                    "log it as left behind."),
    "RDR-CARD-MUTE": StatusEntry(W, ERROR, ON, PERSON, "读卡器上的卡片不响应复位（哑卡）：请取下该卡，用一张已知正常的"
                                 "证件测试；仍失败则清洁或更换读卡器。",
                                 "The card on the reader does not answer the reset (mute card): remove it and test "
                                 "with a known good document; if that fails too, clean or replace the reader."),
    "RDR-NO-READER": StatusEntry(F, ERROR, OFF_OFFLINE, PERSON, "未检测到读卡器：检查读卡器USB线和电源，重新插拔后再测试。",
                                 "No card reader found: check the reader's USB cable and power, re-plug it and "
                                 "test again."),
    "RDR-SERVICE-DOWN": StatusEntry(F, ERROR, UNKNOWN, PERSON, "智能卡服务(pcscd)未运行：执行 systemctl restart pcscd，"
                                    "仍失败请联系维护中心。",
                                    "The smart-card service (pcscd) is not running: run `systemctl restart pcscd`; "
                                    "call the maintenance centre if it stays down."),
    "RDR-READ-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "RDR-EXT-NO-CARD": StatusEntry(W, IDLE, ON, PERSON, "外部测试需要一张卡：请把测试证件放在读卡器上再运行。",
                                   "The external test needs a card: put a test document on the reader and run it "
                                   "again."),
    "RDR-SIMULATED": StatusEntry(P, IDLE, ON, NONE, "演示用模拟读卡器，无需处理。", "Simulated reader (demo): nothing to do."),
    # --- camera ---
    "CAM-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "CAM-LOW-FPS": StatusEntry(W, IDLE, ON, PERSON, "摄像头帧率过低：检查USB线是否插在主机背面的USB口，清洁镜头，"
                               "检查照明。", "The camera's frame rate is low: plug it into a rear USB port, clean the "
                               "lens and check the lighting."),
    "CAM-DARK": StatusEntry(W, IDLE, ON, PERSON, "摄像头画面过暗：检查补光灯和镜头遮挡。",
                            "The camera image is too dark: check the fill light and whether the lens is covered."),
    "CAM-UNAVAILABLE": StatusEntry(F, ERROR, OFF_OFFLINE, PERSON, "摄像头无画面：检查USB线，重新插拔摄像头后再测试。",
                                   "The camera gives no picture: check its USB cable, re-plug it and test again."),
    "CAM-NO-FACE": StatusEntry(W, IDLE, ON, PERSON, "摄像头工作正常但未检测到人脸：请站在摄像头前再测试一次。",
                               "The camera works but found no face: stand in front of it and test again."),
    "CAM-NOT-FITTED": StatusEntry(P, CLOSED, UNKNOWN, NONE, "本机未配置摄像头（演示模式），无需处理。",
                                  "No camera configured (demo): nothing to do."),
    # --- face models ---
    "FACE-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "FACE-MODELS-MISSING": StatusEntry(F, ERROR, OFF, PERSON, "人脸模型文件缺失或无法加载：重新安装软件包"
                                       "(face_recognition_models)。", "The face models are missing or cannot be "
                                       "loaded: reinstall the software package (face_recognition_models)."),
    "FACE-SIMULATED": StatusEntry(P, IDLE, ON, NONE, "演示用模拟人脸核验，无需处理。",
                                  "Simulated face check (demo): nothing to do."),
    # --- A4 printer (CUPS) ---
    "PRN-A4-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "PRN-A4-PRINTING": StatusEntry(P, BUSY, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "PRN-A4-TEST-PRINTED": StatusEntry(P, IDLE, ON, NONE, "测试页已打印：请确认字迹清晰。",
                                       "Test page printed: check that it is legible."),
    "PRN-A4-MEDIA-EMPTY": StatusEntry(F, ERROR, ON, PERSON, "A4打印机缺纸：打开纸盒，放入A4纸（不超过满格线），关好纸盒。",
                                      "The A4 printer is out of paper: open the tray, load A4 paper (not above the "
                                      "fill mark) and close the tray."),
    "PRN-A4-MEDIA-LOW": StatusEntry(W, IDLE, ON, PERSON, "A4纸即将用完：请尽快加纸。", "A4 paper is running low: add paper soon."),
    "PRN-A4-MEDIA-JAM": StatusEntry(F, ERROR, ON, PERSON, "A4打印机卡纸：打开前盖，沿出纸方向轻轻取出卡住的纸，关好前盖。",
                                    "Paper jam in the A4 printer: open the front cover, gently pull the jammed sheet "
                                    "out in the paper's direction, close the cover."),
    "PRN-A4-DOOR-OPEN": StatusEntry(F, ERROR, ON, PERSON, "A4打印机盖门未关：关好打印机的盖门。",
                                    "A door of the A4 printer is open: close it."),
    "PRN-A4-TONER-LOW": StatusEntry(W, IDLE, ON, PERSON, "墨粉不足：请准备更换硒鼓/墨盒。",
                                    "Toner is low: have a replacement cartridge ready."),
    "PRN-A4-TONER-EMPTY": StatusEntry(F, ERROR, ON, PERSON, "墨粉已用完：更换硒鼓/墨盒。", "Toner is empty: replace the cartridge."),
    "PRN-A4-OFFLINE": StatusEntry(F, ERROR, OFF_OFFLINE, SELF, "A4打印机离线：检查打印机电源和网线/USB线；恢复连接后会自动继续。",
                                  "The A4 printer is offline: check its power and its network/USB cable; the kiosk "
                                  "resumes by itself once it answers."),
    "PRN-A4-PAUSED": StatusEntry(F, ERROR, ON, PERSON, "打印队列已暂停：排除故障后执行 cupsenable 队列名 恢复。",
                                 "The print queue is paused: clear the fault, then resume it with `cupsenable QUEUE`."),
    "PRN-A4-REJECTING": StatusEntry(F, ERROR, ON, PERSON, "打印队列拒绝接收作业：执行 cupsaccept 队列名。",
                                    "The print queue rejects jobs: run `cupsaccept QUEUE`."),
    "PRN-A4-JOBS-HELD": StatusEntry(W, IDLE, ON, PERSON, "队列中有被挂起的作业：在技术人员界面取消或释放这些作业。",
                                    "Jobs are held in the queue: cancel or release them (lpstat -o; cancel / lp -i "
                                    "JOB -H resume)."),
    "PRN-A4-QUEUE-MISSING": StatusEntry(F, ERROR, UNKNOWN, PERSON, "配置的打印队列不存在：检查配置文件[printer] cups_queue，"
                                        "或用 lpadmin 重新创建队列。", "The configured print queue does not exist: "
                                        "check [printer] cups_queue in the configuration, or re-create the queue "
                                        "with lpadmin."),
    "PRN-A4-CUPS-DOWN": StatusEntry(F, ERROR, UNKNOWN, PERSON, "打印服务(CUPS)无响应：执行 systemctl restart cups。",
                                    "The print service (CUPS) does not answer: run `systemctl restart cups`."),
    "PRN-A4-ERROR": StatusEntry(F, ERROR, UNKNOWN, PERSON, "A4打印机报告故障：查看打印机面板上的提示，按说明书处理后重新测试。",
                                "The A4 printer reports an error: read its front panel, follow its manual, then "
                                "test again."),
    "PRN-A4-TEST-FAILED": StatusEntry(F, ERROR, UNKNOWN, PERSON, "测试页未能打印完成：查看说明文字中的原因，排除后重新测试。",
                                      "The test page did not complete: see the text for the reason, clear it and "
                                      "test again."),
    "PRN-A4-PDF-FOLDER": StatusEntry(P, IDLE, ON, NONE, "演示用：文件写入文件夹，无需处理。",
                                     "Demo printer writing PDF files to a folder: nothing to do."),
    # --- receipt printer (ESC/POS) ---
    "PRN-RCP-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "PRN-RCP-TEST-PRINTED": StatusEntry(P, IDLE, ON, NONE, "测试小票已打印：请确认文字和二维码清晰。",
                                        "Test receipt printed: check the text and the QR code are legible."),
    "PRN-RCP-NO-STATUS": StatusEntry(P, IDLE, UNKNOWN, NONE, "打印机不回答实时状态查询，属正常情况；缺纸只能现场查看。",
                                     "The printer does not answer real-time status queries (common on network "
                                     "printers); check the paper on site."),
    "PRN-RCP-PAPER-END": StatusEntry(F, ERROR, ON, PERSON, "小票打印机缺纸：打开上盖，装入80毫米热敏纸卷（热敏面朝外），"
                                     "合上盖子。", "The receipt printer is out of paper: open the cover, load an 80 mm "
                                     "thermal roll (coated side out), close the cover."),
    "PRN-RCP-PAPER-NEAR-END": StatusEntry(W, IDLE, ON, PERSON, "小票纸卷即将用完：请尽快更换纸卷。",
                                          "The receipt roll is nearly finished: replace it soon."),
    "PRN-RCP-COVER-OPEN": StatusEntry(F, ERROR, ON, PERSON, "小票打印机上盖打开：合上盖子直到听到咔嗒声。",
                                      "The receipt printer's cover is open: close it until it clicks."),
    "PRN-RCP-ERROR": StatusEntry(F, ERROR, ON, PERSON, "小票打印机报告故障（切刀或过热）：关机十秒后重新开机，仍失败请报修。",
                                 "The receipt printer reports an error (cutter or overheating): switch it off for "
                                 "ten seconds and on again; report it if it persists."),
    "PRN-RCP-OFFLINE": StatusEntry(F, ERROR, OFF_OFFLINE, SELF, "无法连接小票打印机：检查打印机电源和网线；恢复后自动继续。",
                                   "The receipt printer cannot be reached: check its power and network cable; the "
                                   "kiosk resumes by itself once it answers."),
    "PRN-RCP-NOT-FITTED": StatusEntry(P, CLOSED, UNKNOWN, NONE, "本机未配小票打印机，小票在A4打印机上打印，无需处理。",
                                      "No receipt printer fitted; receipts print on the A4 printer: nothing to do."),
    # --- voice ---
    "VOICE-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "VOICE-SPOKEN": StatusEntry(P, IDLE, ON, NONE, "已播放测试语音：请确认声音清楚。", "Test sentence spoken: check it was audible."),
    "VOICE-OFF": StatusEntry(P, CLOSED, OFF, NONE, "配置中已关闭语音提示，无需处理。", "Voice guidance is turned off in the "
                             "configuration: nothing to do."),
    "VOICE-ENGINE-MISSING": StatusEntry(W, ERROR, OFF, PERSON, "语音引擎espeak-ng未安装：安装 espeak-ng 软件包。",
                                        "The speech engine espeak-ng is not installed: install the espeak-ng package."),
    "VOICE-FAILED": StatusEntry(F, ERROR, UNKNOWN, PERSON, "语音引擎运行失败：查看说明文字中的错误，检查音频设备。",
                                "The speech engine failed: see the text for its error and check the audio device."),
    # --- district link ---
    "NET-DISTRICT-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "NET-DISTRICT-DOWN": StatusEntry(W, ERROR, OFFLINE, SELF, "无法连接区级服务器：业务记录会暂存在本机并在恢复后自动上传；"
                                     "检查网线，持续超过一小时请联系区中心。", "The district server cannot be reached: "
                                     "transactions wait on the kiosk and are sent by themselves when it is back; "
                                     "check the network cable and call the district centre if it lasts over an hour."),
    "NET-DISTRICT-ERROR": StatusEntry(W, ERROR, ON, SELF, "区级服务器返回错误：稍后自动重试；持续出现请联系区中心。",
                                      "The district server answers with an error: the kiosk retries by itself; call "
                                      "the district centre if it persists."),
    # --- disk ---
    "DISK-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "DISK-LOW": StatusEntry(W, IDLE, ON, PERSON, "数据盘空间不足：联系维护中心清理日志或扩容。",
                            "The data disk is running out of space: call the maintenance centre to clear logs or "
                            "add space."),
    "DISK-FULL": StatusEntry(F, ERROR, ON, PERSON, "数据盘已满，无法保存业务记录：立即联系维护中心；在此之前终端暂停服务。",
                             "The data disk is full and records cannot be saved: call the maintenance centre now; "
                             "keep the kiosk out of service until then."),
    # --- clock ---
    "CLK-OK": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "CLK-NOT-MEASURED": StatusEntry(P, IDLE, UNKNOWN, SELF, "时钟偏差尚未测量（同步服务还未连上区级服务器），连接后自动测量。",
                                    "Clock skew not measured yet (the sync service has not reached the district); it "
                                    "is measured by itself once connected."),
    "CLK-SKEW": StatusEntry(W, IDLE, ON, PERSON, "本机时钟与服务器相差较大：检查时间同步(NTP)设置。",
                            "The kiosk's clock differs from the server's: check time synchronisation (NTP)."),
    "CLK-SKEW-SEVERE": StatusEntry(F, ERROR, ON, PERSON, "本机时钟严重偏差，签名请求将被拒绝：立即校准时间(NTP)。",
                                   "The kiosk's clock is far off; signed requests will be refused: set the time "
                                   "(NTP) now."),
    # --- a technician's answer (interactive level) ---
    "TECH-CONFIRMED": StatusEntry(P, IDLE, ON, NONE, NOTHING_ZH, NOTHING_EN),
    "TECH-REJECTED": StatusEntry(F, ERROR, UNKNOWN, PERSON, "技术人员确认结果不正常：按说明文字中的观察处理，修复后重新测试。",
                                 "The technician saw a problem: act on the observation in the text, then test "
                                 "again."),
    # --- the check itself ---
    "DIAG-CHECK-CRASHED": StatusEntry(F, ERROR, UNKNOWN, PERSON, "诊断程序本身出错：把说明文字报给维护中心。",
                                      "The check itself failed unexpectedly: report its text to the maintenance "
                                      "centre."),
}


def device_status(device: str, status_id: str, text: str, media: dict[str, MediaState] | None = None,
                  facts: dict[str, Any] | None = None) -> DeviceStatus:
    """The DeviceStatus of `status_id` (declared above) with what the kiosk saw."""
    entry = STATUS_IDS[status_id]
    return DeviceStatus(device=device, state=entry.state, power=entry.power, status_id=status_id,
                        health=entry.health, recovery=entry.recovery, text=text, fix_zh=entry.fix_zh,
                        fix_en=entry.fix_en, media=dict(media or {}), facts=dict(facts or {}))
