"""The words of the report page's offer to convert an older-layout file to the current
layout, in Japanese and English; :mod:`app.i18n` adds them to its messages."""

from __future__ import annotations

from cityref.text import Bilingual

CONVERSION_MESSAGES: dict[str, Bilingual] = {
    "convert.title": Bilingual("現行レイアウトへの変換", "The current layout"),
    "convert.intro": Bilingual(
        "このファイルは旧レイアウト {source}（推奨データセット）です。現行レイアウト {target}"
        "（自治体標準オープンデータセット）に変換したファイルをダウンロードできます。"
        "列は参照モデルの同じ用語どうしで対応させ、値は確実な規則（全角数字、○/×、検査数字など）"
        "でだけ直します。",
        "This file follows the older layout {source} (推奨データセット). You can download it "
        "converted to the current layout {target} (自治体標準オープンデータセット): columns are "
        "paired through the Reference Model term they name, and values change only by certain "
        "rules (full-width digits, ○/×, check digits, …).",
    ),
    "convert.button": Bilingual("現行レイアウトに変換", "Convert to the current layout"),
    "convert.notes": Bilingual(
        "移せない列・空欄になる列", "Columns not carried over or left empty"
    ),
    "convert.none": Bilingual(
        "すべての列が現行レイアウトに移ります。", "Every column goes into the current layout."
    ),
    "convert.cli": Bilingual("コマンドでは", "On the command line:"),
}
