"""Flat product illustrations for the demo catalog, drawn with Pillow (no network, no image files shipped).

Same input, same picture: a pastel background, a simple silhouette of the product type in the product's
colour, and the product name underneath.
"""

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

SIZE = 800
SCALE = 2  # drawn at twice the size and scaled down, which smooths the edges

COLOURS = {
    "White": (236, 236, 230), "Navy": (38, 58, 102), "Sage": (142, 166, 132), "Charcoal": (64, 66, 72),
    "Sand": (214, 190, 150), "Black": (34, 34, 38), "Storm Blue": (72, 104, 140), "Oatmeal": (222, 208, 184),
    "Forest": (46, 94, 66), "Heather Grey": (150, 152, 158), "Rust": (176, 86, 52), "Yellow": (240, 196, 48),
    "Olive": (112, 118, 64), "Tan": (180, 138, 92), "Blue": (52, 110, 200), "Orange": (236, 120, 40),
    "Red": (210, 56, 56), "Brown": (118, 78, 48), "Natural": (230, 218, 192), "Cream": (240, 232, 210),
    "Khaki": (176, 164, 120), "Grey": (128, 130, 136), "Mixed": (96, 128, 160), "Green": (60, 140, 90),
    "Speckled": (200, 190, 176), "Ink": (40, 48, 80), "Steel": (160, 168, 176), "Matte Black": (44, 44, 48),
    "Print": (60, 80, 130),
}


def _background(rgb):
    # A pale tint of the product colour keeps every card in the grid calm and readable; a light product
    # (white, cream) gets a cool grey instead so its silhouette still stands out.
    if sum(rgb) / 3 > 190:
        return (200, 210, 222)
    return tuple(int(c * 0.18 + 255 * 0.82) for c in rgb)


def _shade(rgb, factor):
    return tuple(max(0, min(255, int(c * factor))) for c in rgb)


def _s(points):
    return [(x * SCALE, y * SCALE) for x, y in points]


def _box(x0, y0, x1, y1):
    return (x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE)


def _tshirt(draw, fill, dark, bg, long_sleeves=False):
    if long_sleeves:
        body = [(300, 170), (400, 190), (500, 170), (590, 230), (640, 520), (570, 530), (530, 320), (530, 560),
                (270, 560), (270, 320), (230, 530), (160, 520), (210, 230)]
    else:
        body = [(300, 170), (400, 190), (500, 170), (610, 240), (565, 320), (515, 295), (515, 560),
                (285, 560), (285, 295), (235, 320), (190, 240)]
    draw.polygon(_s(body), fill=fill)
    draw.ellipse(_box(350, 150, 450, 215), fill=bg)


def _hoodie(draw, fill, dark, bg):
    draw.ellipse(_box(320, 110, 480, 260), fill=dark)
    _tshirt(draw, fill, dark, bg, long_sleeves=True)
    draw.ellipse(_box(355, 150, 445, 230), fill=dark)
    draw.rounded_rectangle(_box(330, 420, 470, 500), radius=20 * SCALE, fill=dark)


def _jacket(draw, fill, dark, bg):
    _tshirt(draw, fill, dark, bg, long_sleeves=True)
    draw.line(_s([(400, 200), (400, 560)]), fill=dark, width=8 * SCALE)
    draw.polygon(_s([(340, 175), (400, 260), (460, 175), (430, 170), (400, 215), (370, 170)]), fill=dark)
    for y in (380, 450):
        draw.rectangle(_box(310, y, 370, y + 10), fill=dark)
        draw.rectangle(_box(430, y, 490, y + 10), fill=dark)


def _runner(draw, fill, dark, bg):
    draw.polygon(_s([(170, 470), (200, 330), (300, 300), (420, 380), (560, 410), (640, 450), (650, 500),
                     (170, 500)]), fill=fill)
    draw.rounded_rectangle(_box(150, 490, 660, 545), radius=25 * SCALE, fill=dark)
    draw.line(_s([(260, 450), (380, 400), (520, 440)]), fill=bg, width=14 * SCALE)
    for x in (300, 330, 360):
        draw.line(_s([(x, 330), (x + 40, 360)]), fill=dark, width=6 * SCALE)


def _boot(draw, fill, dark, bg):
    draw.polygon(_s([(240, 180), (420, 180), (430, 400), (600, 450), (630, 500), (220, 500)]), fill=fill)
    draw.rounded_rectangle(_box(200, 490, 650, 550), radius=18 * SCALE, fill=dark)
    draw.rectangle(_box(240, 180, 420, 215), fill=dark)
    for y in (260, 300, 340, 380):
        draw.line(_s([(330, y), (420, y + 10)]), fill=dark, width=6 * SCALE)


def _bag(draw, fill, dark, bg):
    draw.arc(_box(300, 120, 500, 320), start=180, end=360, fill=dark, width=22 * SCALE)
    draw.rounded_rectangle(_box(220, 220, 580, 580), radius=40 * SCALE, fill=fill)
    draw.rounded_rectangle(_box(280, 400, 520, 530), radius=24 * SCALE, fill=dark)


def _hat(draw, fill, dark, bg):
    draw.ellipse(_box(370, 120, 430, 180), fill=dark)
    draw.chord(_box(230, 160, 570, 560), start=180, end=360, fill=fill)
    draw.rounded_rectangle(_box(215, 340, 585, 440), radius=20 * SCALE, fill=dark)


def _sock(draw, fill, dark, bg):
    draw.polygon(_s([(310, 140), (450, 140), (450, 430), (560, 500), (560, 600), (460, 620), (310, 520)]),
                 fill=fill)
    draw.rectangle(_box(310, 140, 450, 200), fill=dark)
    draw.ellipse(_box(470, 520, 570, 620), fill=dark)


def _mug(draw, fill, dark, bg):
    draw.ellipse(_box(470, 280, 640, 480), outline=dark, width=34 * SCALE)
    draw.rounded_rectangle(_box(210, 200, 530, 580), radius=40 * SCALE, fill=fill)
    draw.ellipse(_box(210, 180, 530, 230), fill=dark)


def _poster(draw, fill, dark, bg):
    draw.rectangle(_box(200, 110, 600, 600), fill=(250, 248, 242), outline=(60, 60, 60), width=10 * SCALE)
    draw.rectangle(_box(240, 150, 560, 560), fill=fill)
    draw.ellipse(_box(440, 190, 520, 270), fill=(250, 214, 120))
    draw.polygon(_s([(240, 560), (340, 330), (420, 450), (470, 380), (560, 520), (560, 560)]), fill=dark)


SHAPES = {
    "tshirt": _tshirt, "hoodie": _hoodie, "jacket": _jacket, "runner": _runner, "boot": _boot,
    "bag": _bag, "hat": _hat, "sock": _sock, "mug": _mug, "poster": _poster,
}


def _font(size):
    # Pillow ships a scalable font of its own, so the picture is the same on every machine.
    return ImageFont.load_default(size=size)


def product_picture(kind: str, name: str, colour: str) -> bytes:
    """An 800x800 JPEG of a product of this kind, in this colour, with its name."""
    rgb = COLOURS.get(colour, (120, 120, 120))
    bg = _background(rgb)
    image = Image.new("RGB", (SIZE * SCALE, SIZE * SCALE), bg)
    draw = ImageDraw.Draw(image)
    SHAPES[kind](draw, rgb, _shade(rgb, 0.6), bg)
    size = 46 * SCALE
    font = _font(size)
    while draw.textlength(name, font=font) > 700 * SCALE and size > 20 * SCALE:
        size -= 2 * SCALE
        font = _font(size)
    draw.text((SIZE * SCALE // 2, 690 * SCALE), name, font=font, fill=(40, 40, 44), anchor="mm")
    image = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
