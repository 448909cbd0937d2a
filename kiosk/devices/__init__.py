"""Devices behind small typed interfaces, each with a real and a simulated implementation.

`kiosk.devices.factory.build_devices(config)` picks the implementations named in `[devices]`. The core only
sees the Protocols in each subpackage's `__init__`; device libraries (pyscard, OpenCV, dlib, CUPS) are imported
only inside the real implementations, and only when configured.
"""
