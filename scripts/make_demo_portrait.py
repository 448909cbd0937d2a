"""Draw the demo identity's portrait (assets/demo/portrait.png): an illustration the project owns.

The product ships no photo of a real person; the simulated reader shows this drawing as the chip photo, and
the demo's face step is simulated, so no recogniser ever needs to find a face in it.
"""

from pathlib import Path

from PIL import Image, ImageDraw

W, H = 240, 320
img = Image.new("RGB", (W, H), (226, 236, 246))
d = ImageDraw.Draw(img)
d.rectangle([0, 250, W, H], fill=(40, 70, 120))  # jacket
d.polygon([(95, 250), (145, 250), (120, 290)], fill=(245, 245, 245))  # collar
d.rectangle([104, 200, 136, 255], fill=(236, 196, 160))  # neck
d.ellipse([62, 70, 178, 220], fill=(241, 205, 170))  # face
d.pieslice([58, 50, 182, 170], 180, 360, fill=(55, 45, 40))  # hair
d.ellipse([52, 128, 70, 160], fill=(236, 196, 160))  # ears
d.ellipse([170, 128, 188, 160], fill=(236, 196, 160))
for x in (92, 134):
    d.ellipse([x, 132, x + 16, 142], fill=(255, 255, 255))
    d.ellipse([x + 5, 133, x + 12, 141], fill=(40, 30, 25))
    d.line([x - 2, 122, x + 18, 120], fill=(60, 45, 40), width=3)
d.line([120, 145, 115, 172], fill=(200, 150, 120), width=2)
d.line([115, 172, 124, 172], fill=(200, 150, 120), width=2)
d.arc([100, 172, 140, 196], 20, 160, fill=(170, 80, 80), width=3)
out = Path(__file__).resolve().parent.parent / "assets" / "demo" / "portrait.png"
out.parent.mkdir(parents=True, exist_ok=True)
img.save(out, optimize=True)
print(out)
