"""VerifyingFace: live preview with the face box, guidance, the challenge's progress; retry or staff help.

A clearly labelled button lets the citizen decline the face check at any moment: staff then verify the document
in person (the AssistedVerification screen), as accessibility rules require wherever biometrics are used.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QProgressBar

from kiosk.core.session import AssistedVerificationChosen, Retry, Session
from kiosk.devices.face import FaceProgress
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import message, tr
from kiosk.ui.widgets import BusyIndicator, button, label

PREVIEW_W, PREVIEW_H = 640, 480


class FaceScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "title")
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #222; border-radius: 16px;")
        self.guidance = label("", "subtitle")
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.steps = QProgressBar()
        self.steps.setTextVisible(False)
        self.busy = BusyIndicator()
        self.msg = self.message_label()
        self.retry = button("", self.send(Retry()), "primary", "retry")
        self.assisted = button("", self.send(AssistedVerificationChosen()), "", "assisted")
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        for w in (self.guidance, self.steps, self.busy, self.msg, self.retry, self.assisted):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)

    def render(self, session: Session) -> None:
        self.title.setText(tr("Face check"))
        self.retry.setText(tr("Try again"))
        self.busy.setVisible(session.busy)
        self.retry.setVisible(session.can_retry)
        self.assisted.setText(tr("No face check: ask staff to verify me"))
        self.assisted.setVisible(session.identity is not None)
        self.show_message(self.msg, session.message_key)
        if not session.busy:
            self.preview.clear()
            self.steps.hide()
        if session.busy and not self.guidance.text():
            self.guidance.setText(message("face.look_at_camera"))

    def show_progress(self, progress: FaceProgress) -> None:
        """Draw one preview frame (never stored) with the face box, and the guidance sentence."""
        self.guidance.setText(message(progress.guidance))
        if progress.steps:
            self.busy.hide()  # the challenge's own progress replaces the generic one
            self.steps.show()
            self.steps.setRange(0, progress.steps)
            self.steps.setValue(progress.step)
        frame = progress.frame
        if frame is None:
            return
        h, w = frame.shape[:2]
        # Shown as a mirror: "turn to your left" then moves the picture the way the citizen expects.
        image = QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).flipped(Qt.Orientation.Horizontal)
        pixmap = QPixmap.fromImage(image)
        if progress.face_box is not None:
            painter = QPainter(pixmap)
            painter.setPen(QPen(QColor("#35c759"), max(3, w // 160)))
            left, top, right, bottom = progress.face_box
            painter.drawRect(w - right, top, right - left, bottom - top)
            painter.end()
        self.preview.setPixmap(pixmap.scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))
