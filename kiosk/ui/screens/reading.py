"""ReadingDocument: progress while the chip is read, or the MRZ entry a BAC reader needs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget

from kiosk.core.identity import AccessKey
from kiosk.core.session import AccessKeyEntered, Retry, Session
from kiosk.ui.screens.base import Screen
from kiosk.ui.text import tr
from kiosk.ui.widgets import BusyIndicator, TouchKeyboard, button, label


class ReadingScreen(Screen):
    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.busy = BusyIndicator()
        self.msg = self.message_label()
        self.retry = button("", self.send(Retry()), "primary", "retry")
        # MRZ entry (ICAO BAC needs document number, date of birth and expiry from the printed page)
        self.key_form = QWidget()
        form = QGridLayout(self.key_form)  # the three fields side by side: the full keyboard fits a short panel
        form.setContentsMargins(0, 0, 0, 0)
        self.doc = QLineEdit()
        self.doc.setMaxLength(9 + 6)
        self.dob = QLineEdit()
        self.dob.setMaxLength(6)
        self.exp = QLineEdit()
        self.exp.setMaxLength(6)
        self.doc_label, self.dob_label, self.exp_label = label(), label(), label()
        for column, (caption, edit) in enumerate(((self.doc_label, self.doc), (self.dob_label, self.dob),
                                                  (self.exp_label, self.exp))):
            form.addWidget(caption, 0, column)
            form.addWidget(edit, 1, column)
        form.setColumnStretch(0, 2)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(2, 1)
        self.keyboard = TouchKeyboard("full")
        for edit, testid in ((self.doc, "mrz-doc"), (self.dob, "mrz-dob"), (self.exp, "mrz-exp")):
            edit.setProperty("testid", testid)
            edit.installEventFilter(self)
        self.keyboard.attach(self.doc)
        self.submit = button("", self._submit_key, "primary", "submit-key")
        self.scan_hint = label("", "subtitle")
        self.preview = QLabel()
        self.preview.setFixedSize(480, 270)
        self.preview.setStyleSheet("background: #222; border-radius: 12px;")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._has_camera = terminal.has_camera
        for w in (self.title, self.hint, self.busy, self.msg, self.retry, self.scan_hint):
            self.layout_.addWidget(w)
        self.layout_.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        for w in (self.key_form, self.keyboard, self.submit):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)

    def show_frame(self, frame) -> None:
        """One camera frame of the MRZ scan (never stored)."""
        if not self.preview.isVisible() or frame is None:
            return
        from PySide6.QtGui import QImage, QPixmap

        h, w = frame.shape[:2]
        image = QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(480, 270, Qt.AspectRatioMode.KeepAspectRatio))

    def eventFilter(self, obj, event):
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn and isinstance(obj, QLineEdit):
            self.keyboard.attach(obj)
        return False

    def _submit_key(self) -> None:
        doc, dob, exp = self.doc.text().strip().upper(), self.dob.text().strip(), self.exp.text().strip()
        if not doc or len(dob) != 6 or len(exp) != 6 or not (dob.isdigit() and exp.isdigit()):
            self.show_message(self.msg, "error.input.invalid")
            return
        self.doc.clear()
        self.dob.clear()
        self.exp.clear()
        self.terminal.dispatch(AccessKeyEntered(AccessKey(doc, dob, exp)))

    def render(self, session: Session) -> None:
        entering = session.needs_access_key and not session.busy
        self.title.setText(tr("Enter your document details") if entering else tr("Reading your document"))
        self.hint.setText(tr("Type the document number, date of birth (YYMMDD) and date of expiry (YYMMDD) "
                             "printed on your document.") if entering else
                          tr("Please keep your document on the reader until this is done."))
        self.doc_label.setText(tr("Document number"))
        self.dob_label.setText(tr("Date of birth"))
        self.exp_label.setText(tr("Date of expiry"))
        self.submit.setText(tr("Continue"))
        self.retry.setText(tr("Try again"))
        self.busy.setVisible(session.busy)
        scanning = entering and self._has_camera
        self.scan_hint.setText(tr("Or hold the photo page of your document under the camera: the two lines "
                                  "at the bottom are read for you."))
        self.scan_hint.setVisible(scanning)
        self.preview.setVisible(scanning)
        if not scanning:
            self.preview.clear()
        self.key_form.setVisible(entering)
        self.keyboard.setVisible(entering)
        self.submit.setVisible(entering)
        self.retry.setVisible(session.can_retry and not entering)
        self.show_message(self.msg, session.message_key)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft)
