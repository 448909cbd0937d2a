"""Runs PassportEye (over Debian's tesseract-ocr) on the OCR bench's frames, inside its own virtualenv.

PassportEye pulls scikit-image, scikit-learn, matplotlib and pdfminer, none of which the kiosk needs, so the bench
installs it into `.bench/passporteye-venv` and runs this script there. Standard library and PassportEye only.

Usage: python ocr_passporteye.py FRAMES_DIR   (FRAMES_DIR/index.json: [{"file", "key": [number, dob, expiry]}])
Prints a JSON list, one entry per frame: {"outcome": "correct" | "refused" | "wrong", "s": seconds}.
"""

import json
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")


def main() -> None:
    from passporteye import read_mrz

    folder = Path(sys.argv[1])
    out = []
    for entry in json.loads((folder / "index.json").read_text()):
        start = time.perf_counter()
        try:
            mrz = read_mrz(str(folder / entry["file"]))
        except Exception:  # noqa: BLE001 - a library crash on a frame is a refusal, as for our reader
            mrz = None
        seconds = time.perf_counter() - start
        fields = mrz.to_dict() if mrz is not None else {}
        # What the kiosk needs from the MRZ is the access key; accept a reading as PassportEye itself does (its
        # per-field check digits) and judge it by the key, as the bench judges ours.
        verified = bool(fields) and all(fields.get(f) for f in ("valid_number", "valid_date_of_birth",
                                                                 "valid_expiration_date"))
        if not verified:
            outcome = "refused"
        else:
            key = [fields["number"].replace("<", ""), fields["date_of_birth"], fields["expiration_date"]]
            outcome = "correct" if key == entry["key"] else "wrong"
        out.append({"outcome": outcome, "s": seconds})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
