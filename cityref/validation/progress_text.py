"""Where long validation work stands, in words (ja/en): the CLI's progress line and the job
page of the web say it alike, from a :class:`~cityref.validation.progress.Progress`."""

from __future__ import annotations

from cityref.text import Bilingual
from cityref.validation.progress import Progress

#: What a stage is doing; a stage not named here is shown by its name.
STAGE_WORDS = {
    "read": Bilingual("読み込み中", "reading"),
    "load": Bilingual("グラフに格納中", "loading"),
    "check": Bilingual("検査中", "checking"),
    "connect": Bilingual("エンドポイントに問い合わせ中", "asking the endpoint"),
}
UNIT_WORDS = {
    "rows": Bilingual("行", "rows"),
    "lines": Bilingual("行", "lines"),
    "shapes": Bilingual("シェイプ", "shapes"),
    "checks": Bilingual("検査項目", "checks"),
    "files": Bilingual("ファイル", "files"),
    "queries": Bilingual("クエリ", "queries"),
    "bytes": Bilingual("MB", "MB"),  # bytes are shown in megabytes
}
_MEGABYTE = 1_000_000


def _count(n: float, unit: str) -> str:
    """A count or pace with thousands separators (bytes in megabytes, one decimal); a slow
    pace keeps two significant digits."""
    if unit == "bytes":
        return f"{n / _MEGABYTE:,.1f}"
    if n >= 9.95 or n == int(n):
        return f"{n:,.0f}"
    return f"{n:.1f}" if n >= 1 else f"{n:.2g}"


def time_left_words(seconds: float) -> Bilingual:
    """The time left, rounded to what a person waiting cares about (seconds, minutes, hours)."""
    whole = max(0, round(seconds))
    if whole < 1:
        return Bilingual("残り 1 秒未満", "under 1 s left")
    if whole < 60:
        return Bilingual(f"残り約 {whole} 秒", f"about {whole} s left")
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return Bilingual(f"残り約 {minutes} 分 {secs} 秒", f"about {minutes} min {secs} s left")
    hours, minutes = divmod(minutes, 60)
    return Bilingual(f"残り約 {hours} 時間 {minutes} 分", f"about {hours} h {minutes} min left")


def progress_words(progress: Progress) -> Bilingual:
    """``reading: 12,000 of 100,001 rows (12%) · 8,000 rows/s · about 11 s left``: the stage,
    the units done (of how many, when known), the pace and the time left at that pace."""
    stage = STAGE_WORDS.get(progress.stage, Bilingual(progress.stage, progress.stage))
    unit = UNIT_WORDS.get(progress.unit, Bilingual(progress.unit, progress.unit))
    done = _count(progress.done, progress.unit)
    if progress.total is not None and progress.total > 0:
        share = min(100, progress.done * 100 // progress.total)
        total = _count(progress.total, progress.unit)
        ja = f"{stage.ja}: {done} / {total} {unit.ja}（{share}%）"
        en = f"{stage.en}: {done} of {total} {unit.en} ({share}%)"
    else:
        ja, en = f"{stage.ja}: {done} {unit.ja}", f"{stage.en}: {done} {unit.en}"
    rate = progress.per_second
    if rate is not None:
        pace = _count(rate, progress.unit)
        ja += f" · {pace} {unit.ja}/秒"
        en += f" · {pace} {unit.en}/s"
    left = progress.remaining_seconds
    if left is not None and progress.done < (progress.total or 0):
        time_left = time_left_words(left)
        ja += f" · {time_left.ja}"
        en += f" · {time_left.en}"
    return Bilingual(ja, en)
