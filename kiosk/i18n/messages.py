"""Citizen-facing sentences by key, in the source language (English).

The Chinese (default) text of each is in assets/translations/kiosk_zh_CN.ts, under the context "messages";
the Qt shell translates through QTranslator, the voice guidance (no Qt) through kiosk.i18n.translations.
`QT_TRANSLATE_NOOP` is a marker for pyside6-lupdate, which extracts these strings into the .ts file.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    return text


CONTEXT = "messages"

MESSAGES: dict[str, str] = {
    # errors (kiosk.errors message keys)
    "error.generic": QT_TRANSLATE_NOOP("messages", "Something went wrong. Please try again or ask staff for help."),
    "error.config": QT_TRANSLATE_NOOP("messages", "This terminal is not set up correctly. Please ask staff."),
    "error.device": QT_TRANSLATE_NOOP("messages", "A device is not working. Please ask staff for help."),
    "error.card": QT_TRANSLATE_NOOP("messages", "Your document could not be read. Please try again."),
    "error.card.no_reader": QT_TRANSLATE_NOOP("messages", "The card reader is not available. Please ask staff."),
    "error.card.no_card": QT_TRANSLATE_NOOP("messages", "Please place your document on the reader."),
    "error.card.removed": QT_TRANSLATE_NOOP("messages", "Your document was moved too early. Please place it on the reader again and keep it still."),
    "error.card.wrong_access_key": QT_TRANSLATE_NOOP("messages", "The document number or dates do not match this document. Please check and enter them again."),
    "error.card.malformed": QT_TRANSLATE_NOOP("messages", "This document could not be read. Please ask staff for help."),
    "error.card.rejected": QT_TRANSLATE_NOOP("messages", "This document could not be verified. Staff have been called to help you."),
    "error.card.chip_not_genuine": QT_TRANSLATE_NOOP("messages", "The chip in this document could not prove that it is genuine. Staff have been called to help you."),
    "error.camera": QT_TRANSLATE_NOOP("messages", "The camera is not working. Please ask staff for help."),
    "error.camera.unavailable": QT_TRANSLATE_NOOP("messages", "The camera is not available. Please ask staff for help."),
    "error.face": QT_TRANSLATE_NOOP("messages", "The face check did not work. Please try again."),
    "error.face.none": QT_TRANSLATE_NOOP("messages", "No face was found. Please look at the camera."),
    "error.face.mismatch": QT_TRANSLATE_NOOP("messages", "The face check did not match your document."),
    "error.face.liveness": QT_TRANSLATE_NOOP("messages", "Please follow the movements shown on the screen."),
    "error.printer": QT_TRANSLATE_NOOP("messages", "The printer is not working. Your document is kept; please ask staff."),
    "error.printer.offline": QT_TRANSLATE_NOOP("messages", "The printer is offline. Your document is kept and can be printed when it is back."),
    "error.printer.paper": QT_TRANSLATE_NOOP("messages", "The printer is out of paper. Staff have been told; your document is kept."),
    "error.printer.job_failed": QT_TRANSLATE_NOOP("messages", "Printing failed. Your document is kept; you can try again."),
    "error.service": QT_TRANSLATE_NOOP("messages", "This service could not be completed. Please try again later."),
    "error.district.unavailable": QT_TRANSLATE_NOOP("messages", "The district service is not reachable right now. We can take your request and process it later, with a claim receipt."),
    "error.input.invalid": QT_TRANSLATE_NOOP("messages", "Please check the highlighted field."),
    "error.store": QT_TRANSLATE_NOOP("messages", "Your request could not be saved. Please ask staff for help."),
    "error.catalog": QT_TRANSLATE_NOOP("messages", "The service list could not be loaded."),
    # out of service (kiosk.terminal.out_of_service reason keys)
    "out_of_service.revoked": QT_TRANSLATE_NOOP("messages", "This terminal is out of service for now. We are sorry for the inconvenience: staff at the service desk will gladly help you."),
    "out_of_service.unavailable": QT_TRANSLATE_NOOP("messages", "This terminal cannot serve you at the moment. We are sorry: staff at the counter below will gladly help you."),
    "out_of_service.maintenance": QT_TRANSLATE_NOOP("messages", "This terminal needs maintenance and is resting for now. Staff at the counter below will gladly help you."),
    "out_of_service.device": QT_TRANSLATE_NOOP("messages", "A part of this terminal is not working, so it cannot serve you now. Staff at the counter below will gladly help you."),
    # devices (kiosk.terminal.device_consequences, kiosk.terminal.technician_mode); %1 = the nearest staffed counter
    "out_of_service.reader": QT_TRANSLATE_NOOP("messages", "This terminal is out of service for now because its identity card reader is not working. We are sorry: please go to %1, where staff will gladly help you."),
    "out_of_service.camera": QT_TRANSLATE_NOOP("messages", "This terminal is out of service for now because its camera is not working. We are sorry: please go to %1, where staff will gladly help you."),
    "out_of_service.technician": QT_TRANSLATE_NOOP("messages", "This terminal is being serviced and will be back shortly. We are sorry for the wait: staff at %1 will gladly help you."),
    "unavailable.a4_paper": QT_TRANSLATE_NOOP("messages", "Temporarily unavailable: the printer has run out of paper."),
    "unavailable.a4_printer": QT_TRANSLATE_NOOP("messages", "Temporarily unavailable: the printer is not working."),
    "unavailable.receipt_paper": QT_TRANSLATE_NOOP("messages", "Temporarily unavailable: the receipt printer has run out of paper."),
    "unavailable.receipt_printer": QT_TRANSLATE_NOOP("messages", "Temporarily unavailable: the receipt printer is not working."),
    # face outcomes (kiosk.devices.face.FaceOutcome, as "face.<value>")
    "face.mismatch": QT_TRANSLATE_NOOP("messages", "The face check did not match your document. Please try again."),
    "face.retry": QT_TRANSLATE_NOOP("messages", "We could not be sure. Please look straight at the camera and try again."),
    "face.no_face": QT_TRANSLATE_NOOP("messages", "No face was found. Please stand in front of the camera."),
    "face.liveness_failed": QT_TRANSLATE_NOOP("messages", "Please follow the movements shown on the screen and try again."),
    "face.camera_unavailable": QT_TRANSLATE_NOOP("messages", "The camera is not available. Staff have been called to help you."),
    "face.ask_staff": QT_TRANSLATE_NOOP("messages", "The face check did not succeed. Staff have been called to help you."),
    # assisted verification: no approval came (kiosk.core.session.AssistedOutcome, as "assisted.<value>")
    "assisted.denied": QT_TRANSLATE_NOOP("messages", "Staff could not confirm your identity at this terminal, so this session has ended. Please come to the service desk: staff there will gladly help you."),
    "assisted.expired": QT_TRANSLATE_NOOP("messages", "Staff could not come in time, so this session has ended. Please come to the service desk: staff there will gladly help you."),
    "assisted.unavailable": QT_TRANSLATE_NOOP("messages", "Staff cannot be called from this terminal right now. Please come to the service desk: staff there will gladly help you."),
    # face guidance (FaceProgress.guidance)
    "face.look_at_camera": QT_TRANSLATE_NOOP("messages", "Please look at the camera."),
    "face.move_closer": QT_TRANSLATE_NOOP("messages", "Please move a little closer."),
    "face.move_back": QT_TRANSLATE_NOOP("messages", "Please move back a little."),
    "face.one_person": QT_TRANSLATE_NOOP("messages", "Only one person in front of the camera, please."),
    "face.turn_left": QT_TRANSLATE_NOOP("messages", "Slowly turn your head to the left."),
    "face.turn_right": QT_TRANSLATE_NOOP("messages", "Slowly turn your head to the right."),
    "face.blink": QT_TRANSLATE_NOOP("messages", "Please blink."),
    "face.hold_still": QT_TRANSLATE_NOOP("messages", "Hold still, checking..."),
    "face.too_dark": QT_TRANSLATE_NOOP("messages", "It is too dark. Please face the light."),
    "face.too_bright": QT_TRANSLATE_NOOP("messages", "It is too bright."),
    "face.blurry": QT_TRANSLATE_NOOP("messages", "Please hold still."),
    # spoken guidance (kiosk.core.session.Speak keys)
    "speak.tap_card": QT_TRANSLATE_NOOP("messages", "Please place your identity document on the reader."),
    "speak.enter_access_key": QT_TRANSLATE_NOOP("messages", "Please enter the document number and dates printed on your document."),
    "speak.document_failed": QT_TRANSLATE_NOOP("messages", "Your document could not be read."),
    "speak.document_refused": QT_TRANSLATE_NOOP("messages", "This document could not be verified. Staff have been called to help you."),
    "speak.look_at_camera": QT_TRANSLATE_NOOP("messages", "Please look at the camera and follow the instructions."),
    "speak.face_retry": QT_TRANSLATE_NOOP("messages", "Please try the face check again."),
    "speak.ask_staff": QT_TRANSLATE_NOOP("messages", "Staff have been called to help you."),
    "speak.assisted_waiting": QT_TRANSLATE_NOOP("messages", "Please wait here. A member of staff is coming to check your identity document."),
    "speak.assisted_denied": QT_TRANSLATE_NOOP("messages", "Staff could not confirm your identity at this terminal, so this session has ended. Please come to the service desk: staff there will gladly help you."),
    "speak.assisted_expired": QT_TRANSLATE_NOOP("messages", "Staff could not come in time, so this session has ended. Please come to the service desk: staff there will gladly help you."),
    "speak.assisted_unavailable": QT_TRANSLATE_NOOP("messages", "Staff cannot be called from this terminal right now. Please come to the service desk: staff there will gladly help you."),
    "speak.choose_service": QT_TRANSLATE_NOOP("messages", "Thank you. Please choose a service."),
    "speak.printing": QT_TRANSLATE_NOOP("messages", "Please wait, your document is being printed."),
    "speak.service_failed": QT_TRANSLATE_NOOP("messages", "This service could not be completed."),
    "speak.print_failed": QT_TRANSLATE_NOOP("messages", "Printing failed."),
    "speak.done": QT_TRANSLATE_NOOP("messages", "Done. Please take your document and your identity card."),
    "speak.done_queued": QT_TRANSLATE_NOOP("messages", "Your request has been accepted. Please keep the receipt."),
    "speak.thanks": QT_TRANSLATE_NOOP("messages", "Thank you for your rating."),
    "speak.still_there": QT_TRANSLATE_NOOP("messages", "Are you still there? Touch the screen to continue."),
    "speak.more_time": QT_TRANSLATE_NOOP("messages", "Do you need more time? Touch the button to continue."),
}


def text(key: str) -> str:
    """The English source sentence for `key` (the generic error sentence for unknown keys)."""
    return MESSAGES.get(key, MESSAGES["error.generic"])
