"""The soak's district server in its own process: the app `kiosk-district serve` runs, with the rate limits
lifted (a soak drives one kiosk's sessions back to back, many times faster than citizens come)."""

from __future__ import annotations

import sys


def main() -> None:
    import uvicorn

    from district.app import create_app
    from district.settings import DistrictSettings

    port, db_url = int(sys.argv[1]), sys.argv[2]
    settings = DistrictSettings(db_url=db_url, demo=True, rate_per_s=100000.0, rate_burst=100000,
                                public_rate_per_s=100000.0, public_rate_burst=100000)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
