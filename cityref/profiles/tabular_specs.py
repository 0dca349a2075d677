"""Column tables of the tabular profiles, one per dataset and layout.

A column is written ``title[*|~][:kind]``: ``*`` required, ``~`` recommended (a warning when
empty), kind from :data:`cityref.profiles.checks.KINDS` or ``enum=a|b|c``. Sources: the
reference notes, sections 3.3–3.5 (legacy flags from the CIO definition books; the current
layout's columns from real files, its required flags from GIF β plus the legacy flags).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TabularSpec:
    """One tabular profile: identity, texts, domains, standard and its columns in order."""

    id: str
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    domains: tuple[str, ...]
    standard: str
    columns: tuple[str, ...]
    # (earlier column, later column) pairs where the first must be <= the second.
    ordered: tuple[tuple[str, str], ...] = field(default=())


ADDRESS = (
    "所在地_全国地方公共団体コード:lgcode",
    "町字ID:chome",
    "所在地_連結表記*",
    "所在地_都道府県",
    "所在地_市区町村",
    "所在地_町字",
    "所在地_番地以下",
    "建物名等(方書)",
)
CONTACT = (
    "連絡先メールアドレス:email",
    "連絡先FormURL:url",
    "連絡先備考（その他、SNSなど）",
    "郵便番号:zip",
)
HEAD = ("全国地方公共団体コード*:lgcode", "ID~", "地方公共団体名~")
NAME = ("名称*", "名称_カナ*:kana", "名称_英字")
GEO = ("緯度:lat", "経度:lon", "高度の種別", "高度の値:dec")
HOURS = ("利用可能曜日", "開始時間:time", "終了時間:time", "利用可能日時特記事項")
PHONE = ("電話番号:tel", "内線番号")
IMAGE = ("画像:url", "画像_ライセンス")
ODS = "municipal-standard-dataset"
LEGACY = "recommended-dataset"
_CURRENT_NOTE_JA = (
    "自治体標準オープンデータセットの現行レイアウト"
    "（全国地方公共団体コード, ID, 地方公共団体名, …）。"
)
_CURRENT_NOTE_EN = (
    "Current layout of the Digital Agency's standard open data set for local governments "
    "(全国地方公共団体コード, ID, 地方公共団体名, …)."
)
_LEGACY_NOTE_JA = "旧 推奨データセットのレイアウト（都道府県コード又は市区町村コード, NO, …）。"
_LEGACY_NOTE_EN = "Older 推奨データセット layout (都道府県コード又は市区町村コード, NO, …)."
CHILDCARE_TYPES = (
    "公立幼稚園|私立幼稚園|認可公立保育所|認可私立保育所|認可外保育所|"
    "認定こども園（幼保連携型）|認定こども園（幼稚園型）|認定こども園（保育所型）|"
    "認定こども園（地方裁量型）|小規模保育事業|家庭的保育事業|事業所内保育事業|その他"
)
DISASTERS = (
    "洪水",
    "崖崩れ、土石流及び地滑り",
    "高潮",
    "地震",
    "津波",
    "大規模な火事",
    "内水氾濫",
    "火山現象",
)
TOILET_COUNTS = tuple(
    f"{c}:int"
    for c in (
        "男性トイレ総数",
        "男性トイレ数（小便器）",
        "男性トイレ数（和式）",
        "男性トイレ数（洋式）",
        "女性トイレ総数",
        "女性トイレ数（和式）",
        "女性トイレ数（洋式）",
        "男女共用トイレ総数",
        "男女共用トイレ数（和式）",
        "男女共用トイレ数（洋式）",
    )
)
ACCESSIBILITY_FLAGS = tuple(
    f"{c}:umu"
    for c in (
        "車椅子可",
        "車椅子貸出",
        "ツエ貸出",
        "バリアフリートイレ",
        "スロープ、エレベータ、エスカレータ",
        "点字ブロック等の移動支援",
        "点字や読上による支援",
        "盲導犬・介助犬、聴導犬同伴",
        "字幕",
        "筆談対応",
        "優先駐車場",
        "オストメイト対応トイレ",
        "授乳室",
        "おむつ替えコーナー",
        "飲食可否",
        "ベビーカー貸出",
        "ベビーカー利用",
    )
)


def _current(
    pid: str,
    ja: str,
    en: str,
    what_ja: str,
    what_en: str,
    domains: tuple[str, ...],
    cols: tuple[str, ...],
    ordered: tuple[tuple[str, str], ...] = (),
) -> TabularSpec:
    return TabularSpec(
        pid,
        f"{ja}（自治体標準オープンデータセット）",
        f"{en} (standard open data set for local governments)",
        f"{_CURRENT_NOTE_JA}{what_ja}",
        f"{_CURRENT_NOTE_EN} {what_en}",
        domains,
        ODS,
        cols,
        ordered,
    )


CURRENT_SPECS: tuple[TabularSpec, ...] = (
    _current(
        "ods-aed",
        "AED設置箇所一覧",
        "AED locations",
        "AED（自動体外式除細動器）の設置場所。",
        "Where automated external defibrillators are installed.",
        ("health", "safety"),
        (
            *HEAD,
            *NAME,
            *ADDRESS,
            *GEO,
            "設置位置*",
            *PHONE,
            *CONTACT,
            "法人番号:corp",
            "団体名",
            *HOURS,
            "小児対応設備の有無:umu",
            "URL:url",
            "画像1:url",
            "画像1_ライセンス",
            "画像2:url",
            "画像2_ライセンス",
            "外部利用不可",
            "備考",
        ),
    ),
    _current(
        "ods-evacuation-site",
        "指定緊急避難場所一覧",
        "designated emergency evacuation sites",
        "災害種別ごとの指定緊急避難場所（フラグは 1/0、空欄は該当なし）。",
        "Designated emergency evacuation sites per kind of disaster (flags 1/0, blank = no).",
        ("safety",),
        (
            "全国地方公共団体コード*:lgcode",
            "ID~",
            *NAME,
            *ADDRESS,
            "緯度:lat",
            "経度:lon",
            "標高:dec",
            "電話番号:tel",
            "内線番号",
            *CONTACT,
            "市区町村コード*:lgcode",
            "地方公共団体名~",
            *(f"災害種別_{d}:flag10" for d in DISASTERS),
            "指定避難所との重複:flag10",
            "想定収容人数:int",
            "対象となる町会・自治会",
            "URL:url",
            *IMAGE,
            "備考",
        ),
    ),
    _current(
        "ods-public-facility",
        "公共施設一覧",
        "public facilities",
        "公共施設と、そのアクセシビリティ・子育て支援の有無（有/無）。",
        "Public facilities with their accessibility and child-care flags (有/無).",
        ("government",),
        (
            *HEAD,
            *NAME,
            "名称_通称",
            "POIコード:poi",
            "外部識別子",
            "外部識別子の値",
            *ADDRESS,
            *GEO,
            *PHONE,
            *CONTACT,
            "法人番号:corp",
            "団体名",
            "利用可能曜日",
            "開始時間:time",
            "終了時間:time",
            "利用可能時間特記事項",
            "説明",
            *ACCESSIBILITY_FLAGS,
            "URL:url",
            *IMAGE,
            "備考",
        ),
    ),
    _current(
        "ods-public-toilet",
        "公衆トイレ一覧",
        "public toilets",
        "公衆トイレと便器数、車椅子・乳幼児・オストメイト設備の有無（有/無）。",
        "Public toilets with fixture counts and wheelchair / infant / ostomate flags (有/無).",
        ("infrastructure", "health"),
        (
            *HEAD,
            "名称*",
            "名称_カナ*:kana",
            "名称_英語",
            *ADDRESS,
            "設置位置*",
            *GEO,
            *TOILET_COUNTS,
            "バリアフリートイレ数:int",
            "車椅子使用者用トイレ有無*:umu",
            "乳幼児用設備設置トイレ有無*:umu",
            "オストメイト設置トイレ有無*:umu",
            "利用開始時間:time",
            "利用終了時間:time",
            "利用可能時間特記事項",
            *IMAGE,
            "備考",
        ),
    ),
    _current(
        "ods-medical-institution",
        "医療機関一覧",
        "medical institutions",
        "病院・診療所と診療科目、診療時間、病床数。",
        "Hospitals and clinics with departments, consultation hours and beds.",
        ("health",),
        (
            *HEAD,
            *NAME,
            "医療機関の種類*:enum=病院|有床診療所|無床診療所",
            *ADDRESS,
            *GEO,
            *PHONE,
            *CONTACT,
            "法人番号:corp",
            "団体名",
            "医療機関コード",
            "診療曜日*",
            "診療開始時間*:time",
            "診療終了時間*:time",
            "診療日時特記事項",
            "時間外における対応",
            "診療科目*",
            "病床数*:int",
            "URL*:url",
            *IMAGE,
            "備考",
        ),
    ),
    _current(
        "ods-childcare-facility",
        "子育て施設一覧",
        "child-care facilities",
        "幼稚園・保育所・認定こども園などと種別、定員、受入年齢。",
        "Kindergartens, nurseries and centres with their type, capacity and ages.",
        ("education", "health"),
        (
            *HEAD,
            *NAME,
            f"種別*:enum={CHILDCARE_TYPES}",
            *ADDRESS,
            *GEO,
            "アクセス方法",
            "駐車場情報",
            *PHONE,
            "FAX番号:tel",
            *CONTACT,
            "法人番号:corp",
            "団体名",
            "認可等年月日:date",
            "収容定員:int",
            "受入年齢",
            *HOURS,
            "一時預かりの有無:umu",
            "URL:url",
            *IMAGE,
            "備考",
        ),
    ),
    _current(
        "ods-tourist-facility",
        "観光施設一覧",
        "tourist facilities",
        "観光施設と料金、説明、アクセス、バリアフリー情報。",
        "Tourist facilities with fees, descriptions, access and barrier-free information.",
        ("government",),
        (
            *HEAD,
            *NAME,
            "POIコード:poi",
            *ADDRESS,
            *GEO,
            *HOURS,
            "料金（基本）:int",
            "料金（詳細）",
            "説明*",
            "説明_英字",
            "アクセス方法",
            "駐車場情報",
            "バリアフリー情報",
            *PHONE,
            *CONTACT,
            *IMAGE,
            "URL:url",
            "備考",
        ),
    ),
    _current(
        "ods-event",
        "イベント一覧",
        "events",
        "イベントの期間、場所、料金、申込方法（終了日は開始日以降）。",
        "Events with dates, place, fees and how to apply (the end date is not before the start).",
        ("government",),
        (
            *HEAD,
            "イベント名*",
            "イベント名_カナ*:kana",
            "イベント名_英字",
            "開始日*:date",
            "終了日*:date",
            "開始時間:time",
            "終了時間:time",
            "開始日時特記事項",
            "説明*",
            "料金（基本）:int",
            "料金（詳細）",
            "連絡先名称",
            *PHONE,
            *CONTACT,
            "主催者",
            "場所名称*",
            *ADDRESS,
            *GEO,
            "アクセス方法",
            "駐車場情報",
            "定員:int",
            "参加申込終了日:date",
            "参加申込終了時間:time",
            "参加申込方法",
            "URL:url",
            *IMAGE,
            "備考",
        ),
        (("開始日", "終了日"),),
    ),
    _current(
        "ods-cultural-property",
        "文化財一覧",
        "cultural properties",
        "指定・登録文化財と種類（建造物、美術工芸品、芸能、工芸技術、その他）。",
        "Designated and registered cultural properties and their kind.",
        ("government", "education"),
        (
            *HEAD,
            "文化財分類*",
            *NAME,
            "種類*:enum=建造物|美術工芸品|芸能|工芸技術|その他",
            "場所名称",
            *ADDRESS,
            *GEO,
            "員数",
            "所有者等",
            "時代",
            "概要",
            "説明",
            "URL:url",
            *IMAGE,
            "備考",
        ),
    ),
    _current(
        "ods-care-service",
        "介護サービス事業所一覧",
        "long-term care service providers",
        "介護保険サービスの事業所と事業所番号、サービス種類、定員。",
        "Long-term care insurance service providers with provider number, service kind, capacity.",
        ("health",),
        (
            *HEAD,
            *NAME,
            "事業所番号",
            "介護サービスの種類*",
            *ADDRESS,
            *GEO,
            *PHONE,
            "FAX番号:tel",
            *CONTACT,
            "法人番号:corp",
            "団体名",
            *HOURS,
            "定員:int",
            "URL:url",
            *IMAGE,
            "備考",
        ),
    ),
)


def _all_specs() -> tuple[TabularSpec, ...]:
    from cityref.profiles.tabular_legacy import LEGACY_SPECS

    return CURRENT_SPECS + LEGACY_SPECS


SPECS: tuple[TabularSpec, ...] = _all_specs()
