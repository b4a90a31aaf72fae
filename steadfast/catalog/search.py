"""Search terms: one normalised, stemmed form of a word, the same in Python for SQLite and PostgreSQL.

Each product stores the stems of its name, description and category path (`Product.search_text`); a query word
matches when one of its stems starts a stored stem. Doing the normalising here rather than in the database keeps
results identical on both (PostgreSQL's `simple` full-text config does not stem, SQLite has none at all).

The stemmers are deliberately light: they strip plural and case endings so that "hoodies" meets "Hoodie",
"mugs" meets "Mug", "кружки" meets "Кружка" and "koszulki" meets "Koszulka". Latin words get the English and the
Polish stem (a product name may be in either), Cyrillic words the Russian one. Stems that are too short are left
alone so that short words ("tee", "cap") are not reduced to nothing.
"""

import re
import unicodedata

WORD = re.compile(r"\w+", re.UNICODE)
MIN_STEM = 3
CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Longest first within each list: the first ending that fits is stripped.
POLISH_ENDINGS = ("ami", "ach", "ów", "om", "em", "ie", "y", "i", "e", "a", "ę", "ą", "u", "o")
RUSSIAN_ENDINGS = (
    "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими",
    "ов", "ев", "ей", "ам", "ям", "ах", "ях", "ой", "ый", "ий", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю",
    "ом", "ем", "ью",
    "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
)


def normalise(word: str) -> str:
    word = unicodedata.normalize("NFC", word.casefold())
    return word.replace("ё", "е")


def _strip(word: str, endings) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def stem_en(word: str) -> str:
    """Plural -s/-es/-ies/-ves, then a final -e or -y, so "hoodie", "hoodies" and "hoody" all become "hoodi"."""
    if len(word) <= MIN_STEM:
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies"):
        word = word[:-3] + "i"
    elif word.endswith("ves") and len(word) > 4:
        word = word[:-3] + "f"
    elif word.endswith(("xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > MIN_STEM and word.endswith("e"):
        word = word[:-1]
    if len(word) > MIN_STEM and word.endswith("y"):
        word = word[:-1] + "i"
    return word


def stem_pl(word: str) -> str:
    return _strip(word, POLISH_ENDINGS)


def stem_ru(word: str) -> str:
    return _strip(word, RUSSIAN_ENDINGS)


def word_stems(word: str) -> set[str]:
    """Every stem a word may stand for: Russian for Cyrillic words, English and Polish for the rest."""
    word = normalise(word)
    if word.isdigit():
        return {word}
    if CYRILLIC.search(word):
        return {stem_ru(word)}
    return {stem_en(word), stem_pl(word)}


def document(*texts: str) -> str:
    """The stored form: every stem once, space-separated, with a leading and trailing space so that
    `contains(" " + stem)` is "a word starting with stem" in any database."""
    stems = set()
    for text in texts:
        for raw in re.split(r"\s+", text or ""):
            words = WORD.findall(raw)
            for word in words:
                stems |= word_stems(word)
            if len(words) > 1:  # "T-shirt" is also searched for as "tshirt"
                stems |= word_stems("".join(words))
    return " " + " ".join(sorted(stems)) + " " if stems else ""
