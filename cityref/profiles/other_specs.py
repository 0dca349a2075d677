"""Identity of the profiles whose shapes are written by hand (GTFS-JP's are generated from
its file table): their profile.ttl is written from here with the tabular ones."""

from __future__ import annotations

from cityref.profiles.tabular_specs import TabularSpec


def _spec(
    pid: str, ja: str, en: str, dja: str, den: str, domains: tuple[str, ...], standard: str
) -> TabularSpec:
    return TabularSpec(pid, ja, en, dja, den, domains, standard, ())


OTHER_SPECS: tuple[tuple[TabularSpec, str], ...] = (
    (
        _spec(
            "gtfs-jp",
            "標準的なバス情報フォーマット（GTFS-JP）",
            "GTFS-JP (Japanese standard bus information format)",
            "GTFS-JP 第2版のzip: 必須ファイルと必須項目、型、ファイル間の参照（trip→route、"
            "stop_time→trip と stop、route→agency）、停留所座標が日本の範囲にあること、JP拡張ファ"
            "イルと項目。",
            "A GTFS-JP (2nd edition) zip: required files and fields, types, references between "
            "files (trip to route, stop_time to trip and stop, route to agency), stop coordinates "
            "inside Japan, and the JP extension files and fields.",
            ("mobility",),
            "gtfs-jp",
        ),
        "gtfs",
    ),
    (
        _spec(
            "ngsi-ld-entity",
            "NGSI-LDエンティティ（都市OSのデータ連携）",
            "NGSI-LD entity (city OS data exchange)",
            "NGSI-LDのエンティティ（normalized と key-values）: id はURI、type、Property / "
            "Relationship / GeoProperty の構造、observedAt の日時、GeoJSONの location。"
            "@context は同梱のコア @context で解釈し、取得しない。",
            "NGSI-LD entities (normalized and key-values): id is a URI, a type, the Property / "
            "Relationship / GeoProperty structure, observedAt date-times, GeoJSON location. The "
            "@context is read with the shipped core @context and never fetched.",
            ("cityos",),
            "ngsi-ld",
        ),
        "ngsi-ld",
    ),
    (
        _spec(
            "sosa-observation",
            "センサー観測（SOSA/SSN、エネルギー・水・環境）",
            "sensor observation (SOSA/SSN for energy, water and environment)",
            "SOSA/SSN の観測: センサー、観測対象の特性、結果（QUDTの単位付きの数値）、結果時刻（I"
            "SO 8601、時差付き）。",
            "SOSA/SSN observations: the sensor, the observed property, the result (a number with "
            "a QUDT unit) and the result time (ISO 8601 with a time zone).",
            ("energy", "environment", "infrastructure"),
            "sosa-ssn",
        ),
        "rdf",
    ),
    (
        _spec(
            "cityos-api-catalogue",
            "都市OSのAPIカタログ項目（DCAT DataService）",
            "city OS API catalogue entry (DCAT DataService)",
            "データ連携基盤の公開APIをカタログに登録する記述: エンドポイント、準拠する標準、認証"
            "方式、ライセンス、連絡先。",
            "How a data-linkage platform registers a public API: endpoint, standard it conforms "
            "to, authentication, licence and contact point.",
            ("cityos",),
            "scra",
        ),
        "rdf",
    ),
    (
        _spec(
            "gif-facility",
            "GIF 施設",
            "GIF facility",
            "GIFコアデータモデルの施設（IMI語彙）: 名称、住所、連絡先。"
            "連絡先は名称に加えて電話番号・内線番号・メールアドレス・FormURLの少なくとも一つ。",
            "The GIF core data model facility (IMI vocabulary): name, address, contact. A contact "
            "has a name plus at least one of phone, extension, e-mail or form URL.",
            ("government",),
            "gif",
        ),
        "rdf",
    ),
    (
        _spec(
            "gif-address",
            "GIF 住所",
            "GIF address",
            "GIFコアデータモデルの住所（IMI語彙）: 表記、都道府県、市区町村、全国地方公共団体コー"
            "ド（検査数字）、郵便番号。",
            "The GIF core data model address (IMI vocabulary): full text, prefecture, "
            "municipality, local government code with check digit, postal code.",
            ("government",),
            "gif",
        ),
        "rdf",
    ),
    (
        _spec(
            "gif-event",
            "GIF イベント",
            "GIF event",
            "GIFコアデータモデルのイベント（IMI語彙）: 名称、期間（開始・終了日時、ISO 8601）、開"
            "催場所、連絡先。",
            "The GIF core data model event (IMI vocabulary): name, period (start and end, "
            "ISO 8601), venue and contact.",
            ("government",),
            "gif",
        ),
        "rdf",
    ),
    (
        _spec(
            "gif-corporation",
            "GIF 法人",
            "GIF corporation",
            "GIFコアデータモデルの法人（IMI語彙）: 名称、13桁の法人番号、住所、連絡先。",
            "The GIF core data model corporation (IMI vocabulary): name, 13-digit corporate "
            "number, address and contact.",
            ("government", "finance"),
            "gif",
        ),
        "rdf",
    ),
)
