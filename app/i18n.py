"""Japanese and English for every page: the language in force and the interface's words.

The language comes from ``?lang=`` (which also sets a cookie, so the choice sticks), then the
cookie, then the browser's Accept-Language; Japanese when nothing says otherwise. Every word
of the interface is a key of :data:`MESSAGES` with both languages; a test walks the pages and
checks that no text of the other language shows through.
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from markupsafe import Markup, escape

from cityref.browse import Text

LANGUAGES = ("ja", "en")
COOKIE = "cityref_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (ja, en)
    "site.tagline": (
        "スーパーシティのリファレンスモデル",
        "The Super City Reference Model",
    ),
    "nav.home": ("ホーム", "Home"),
    "nav.search": ("検索", "Search"),
    "nav.query": ("SPARQL クエリ", "SPARQL query"),
    "nav.standards": ("標準", "Standards"),
    "nav.validate": ("データ検証", "Validate data"),
    "nav.language": ("English", "日本語"),
    "nav.language.label": ("言語を切り替える", "Switch language"),
    "home.title": ("スーパーシティ構想の全体像", "The Super City landscape"),
    "home.intro": (
        "各分野の到達すべき姿、データ連携、実証実験、課題を、関係府省の取組（案）の表のとおりに示します。"
        "分野名から、その分野の語彙・プロファイル・標準へ進めます。",
        "Each domain's target state, data linkage, pilots and challenges, as the tables of "
        "the ministries' joint plan show them. Follow a domain to its vocabulary, profiles "
        "and standards.",
    ),
    "home.field": ("Society 5.0 の分野", "Society 5.0 field"),
    "home.area": ("スーパーシティ構成領域", "Super City area"),
    "kind.TargetState": ("到達すべき姿", "Target state"),
    "kind.DataLinkageStatus": ("データ連携", "Data linkage"),
    "kind.Pilot": ("実証実験", "Pilots"),
    "kind.Challenge": ("課題", "Challenges"),
    "home.layers": ("三つの層", "The three layers"),
    "home.principles": ("スーパーシティの要諦", "The Super City principles"),
    "home.funding": ("活用可能な予算（平成30年度）", "Funding available (FY2018)"),
    "funding.kind.Grant": ("交付金・補助金", "Grant or subsidy"),
    "funding.kind.FiscalInvestmentAndLoan": ("財政投融資", "Fiscal investment and loan"),
    "funding.amount": ("金額（円）", "Amount (JPY)"),
    "funding.agency": ("所管", "Ministry"),
    "funding.name": ("名称", "Name"),
    "funding.kind": ("種類", "Kind"),
    "funding.total": ("合計", "Total"),
    "none": ("—", "—"),
    "domain.landscape": ("取組の現状と課題", "Current work and challenges"),
    "domain.agencies": ("関係府省", "Agencies"),
    "domain.programmes": ("プログラム", "Programmes"),
    "domain.organisations": ("組織", "Organisations"),
    "domain.platforms": ("基盤", "Platforms"),
    "domain.laws": ("法令", "Laws"),
    "domain.data_kinds": ("データの種類", "Kinds of data"),
    "domain.classes": ("語彙（クラス）", "Vocabulary (classes)"),
    "domain.profiles": ("アプリケーションプロファイル", "Application profiles"),
    "domain.standards": ("関連する標準", "Standards"),
    "domain.funding": ("活用可能な予算", "Funding available"),
    "search.title": ("語彙を検索", "Search the vocabulary"),
    "search.label": ("検索語", "Search terms"),
    "search.placeholder": ("例：避難所、ひなんじょ、parking", "e.g. 避難所, ひなんじょ, parking"),
    "search.retired": ("廃止された語も表示", "Show retired terms"),
    "search.none": ("該当する語はありません。", "No term matches."),
    "search.results": ("件", "results"),
    "status.deprecated": ("非推奨", "deprecated"),
    "status.retired": ("廃止", "retired"),
    "query.title": ("SPARQL クエリ", "SPARQL query"),
    "query.intro": (
        "モデル全体（すべての名前付きグラフの和）に問い合わせます。例の質問から始められます。",
        "Query the whole model (the union of every named graph). Start from an example.",
    ),
    "query.examples": ("アーキテクトの質問", "The architects' questions"),
    "query.nojs": (
        "JavaScript なしでも、下のフォームで実行できます。",
        "Without JavaScript, the form below runs the query.",
    ),
    "query.run": ("実行", "Run"),
    "resource.formats": ("形式", "Formats"),
    "resource.property": ("属性", "Property"),
    "resource.value": ("値", "Value"),
    "resource.truncated": ("件数の上限で打ち切りました。", "Cut at the row limit."),
    "term.labels": ("ラベル", "Labels"),
    "term.status": ("状態", "Status"),
    "term.replaced_by": ("後継の語", "Replaced by"),
    "term.domains": ("分野", "Domains"),
    "term.module": ("モジュール", "Module"),
    "term.hierarchy": ("クラス階層", "Hierarchy"),
    "term.supers": ("直接の上位", "Direct superclasses"),
    "term.supers_inferred": ("すべての上位（推論を含む）", "All superclasses (inferred too)"),
    "term.subs": ("直接の下位", "Direct subclasses"),
    "term.subs_inferred": ("すべての下位（推論を含む）", "All subclasses (inferred too)"),
    "term.graph": ("このクラスの周辺の図", "A picture of this class's neighbourhood"),
    "term.properties": ("属性（継承を含む）", "Properties (inherited too)"),
    "term.range": ("値域", "Range"),
    "term.inherited": ("継承元", "Inherited from"),
    "term.shapes": ("このクラスを検査するシェイプ", "Shapes that check it"),
    "term.alignments": ("外部標準との対応", "Alignments with external standards"),
    "term.examples": ("例", "Examples"),
    "term.history": ("リリース履歴", "History across releases"),
    "term.in_releases": ("収録リリース:", "In releases:"),
    "term.no_release": ("まだリリースに含まれていません。", "Not in a release yet."),
    "status.draft": ("草案", "draft"),
    "status.candidate": ("候補", "candidate"),
    "status.adopted": ("採用", "adopted"),
    "standards.title": ("標準カタログ", "Standards catalogue"),
    "standards.intro": (
        "各分野が依拠する標準と、その要素を実装する参照モデルの語・プロファイルの数（領域×標準）。"
        "空欄はその標準がその領域に関わらないこと、0 は未実装（ギャップ）を示します。",
        "The standards each domain relies on, and how many of our terms and profiles implement "
        "their elements (domains x standards). Blank: the standard does not serve the domain; "
        "0: nothing of ours implements it yet (a gap).",
    ),
    "standards.matrix": ("カバレッジ行列", "Coverage matrix"),
    "standards.list": ("標準の一覧", "All standards"),
    "standards.standard": ("標準", "Standard"),
    "standards.publisher": ("発行者", "Publisher"),
    "standards.status": ("状態", "Status"),
    "standards.version": ("現行版", "Current version"),
    "validate.title": ("データを検証", "Validate data"),
    "validate.intro": (
        "CSV（UTF-8 または Shift_JIS）、GTFS-JP の zip、NGSI-LD の JSON、RDF を、参照モデルの"
        "プロファイルで検証します。プロファイルは指定しなければデータから判定します。",
        "Check CSV (UTF-8 or Shift_JIS), a GTFS-JP zip, NGSI-LD JSON or RDF against a profile "
        "of the Reference Model. Without a profile, it is detected from the data.",
    ),
    "validate.file": ("ファイル", "File"),
    "validate.paste": ("または貼り付け", "Or paste"),
    "validate.filename": ("貼り付けたデータのファイル名", "File name for pasted data"),
    "validate.profile": ("プロファイル", "Profile"),
    "validate.detect": ("データから判定", "Detect from the data"),
    "validate.submit": ("検証する", "Validate"),
    "validate.api": ("プログラムからは", "From a program:"),
    "report.title": ("検証結果", "Validation report"),
    "report.running": ("検証中です…", "Validating…"),
    "report.total": ("結果の総数", "Results in all"),
    "report.downloads": ("ダウンロード", "Downloads"),
    "report.shape": ("シェイプ", "Shape"),
    "report.where": ("場所", "Where"),
    "report.severity": ("重大度", "Severity"),
    "report.message": ("内容", "Message"),
    "report.value": ("値", "Value"),
    "report.row": ("行", "row"),
    "report.column": ("列", "column"),
    "report.again": ("別のデータを検証する", "Validate other data"),
    "report.summary": ("直すこと（制約ごとのまとめ）", "What to fix, constraint by constraint"),
    "report.column_or_path": ("列・パス", "Column or path"),
    "report.count": ("件数", "Results"),
    "report.rows": ("行", "Rows"),
    "report.example": ("メッセージの例", "Example message"),
    "severity.Violation": ("違反", "Violation"),
    "severity.Warning": ("警告", "Warning"),
    "severity.Info": ("情報", "Info"),
    "nav.registry": ("レジストリ", "Registry"),
    "releases.title": ("リリース", "Releases"),
    "releases.intro": (
        "参照モデルの番号付きリリース。隣り合う版の差分（変更履歴）を表示できます。",
        "The numbered releases of the Reference Model, with the changes between them.",
    ),
    "releases.version": ("版", "Version"),
    "releases.issued": ("公開日", "Issued"),
    "releases.changes": ("変更", "Changes"),
    "releases.working": ("作業中の版", "working tree"),
    "releases.none": ("まだリリースはありません。", "No release yet."),
    "diff.title": ("差分", "Changes"),
    "diff.old": ("比較元", "From"),
    "diff.new": ("比較先", "To"),
    "diff.compare": ("比較", "Compare"),
    "diff.count": ("件の変更", "changes"),
    "diff.breaking_count": ("件が破壊的", "breaking"),
    "diff.kind": ("種類", "Kind"),
    "diff.subject": ("対象", "Subject"),
    "diff.change": ("内容", "Change"),
    "diff.breaking": ("破壊的", "breaking"),
    "diff.none": ("変更はありません。", "No change."),
    "proposals.title": ("提案", "Proposals"),
    "proposals.intro": (
        "語やシェイプの追加・変更・非推奨化・廃止の提案と、そのレビュー。",
        "Proposals to add, change, deprecate or retire terms and shapes, and their reviews.",
    ),
    "proposals.one": ("提案", "Proposal"),
    "proposals.kind": ("種別", "Kind"),
    "proposals.proposer": ("提案者", "Proposer"),
    "proposals.status": ("状態", "Status"),
    "proposals.rationale": ("理由", "Rationale"),
    "proposals.targets": ("対象", "Targets"),
    "proposals.evidence": ("根拠", "Evidence"),
    "proposals.patch": ("パッチ", "Patch"),
    "proposals.removals": ("削除", "Removed"),
    "proposals.additions": ("追加", "Added"),
    "proposals.reviews": ("レビュー", "Reviews"),
    "proposals.none": ("提案はありません。", "No proposal."),
    "proposals.submit_help": (
        "書き込み権限のあるトークンで提案を送れます:",
        "Holders of a write token submit proposals with",
    ),
    "proposals.submit": ("提案を送る", "Submit a proposal"),
    "proposals.submit_intro": (
        "書き込み権限のあるトークンを持つ人が、パッチ（TriG）と日英の理由を添えて提案できます。",
        "Holders of a write token submit a patch (TriG) with its rationale in both languages.",
    ),
    "proposals.token": ("トークン", "Token"),
    "systems.title": ("登録システム", "Registered systems"),
    "systems.intro": (
        "プロファイルへの適合を表明したシステムと、その適合性の記録。",
        "Systems that claim conformance to profiles, and their conformance records.",
    ),
    "systems.badge": ("適合性バッジ", "Conformance badge"),
    "systems.claims": ("表明しているプロファイル", "Claimed profiles"),
    "systems.time": ("日時", "Time"),
    "systems.profile": ("プロファイル", "Profile"),
    "systems.verdict": ("判定", "Verdict"),
    "systems.no_records": ("記録はまだありません。", "No record yet."),
    "systems.none": ("登録されたシステムはありません。", "No system is registered."),
    "footer.licence": (
        "モデルは CC BY 4.0、ソフトウェアは Apache-2.0 で提供します。",
        "The model is CC BY 4.0, the software Apache-2.0.",
    ),
}


def current_language() -> str:
    lang: str = g.get("lang") or choose_language()
    g.lang = lang
    return lang


def choose_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    stored = request.cookies.get(COOKIE)
    if stored in LANGUAGES:
        return stored
    return request.accept_languages.best_match(LANGUAGES) or "ja"


def translate(key: str) -> str:
    """The interface text ``key`` in the current language (a missing key is a bug: KeyError)."""
    ja, en = MESSAGES[key]
    return ja if current_language() == "ja" else en


def pick(text: Text | None) -> Markup:
    """A model text in the current language; else the other one, marked with its ``lang``
    so that screen readers (and the translation test) know it is not the page's language."""
    if text is None:
        return Markup("")
    lang = current_language()
    own = text.ja if lang == "ja" else text.en
    if own:
        return escape(own)
    other = "en" if lang == "ja" else "ja"
    fallback = text.get(other)
    return Markup(f'<span lang="{other}">{escape(fallback)}</span>') if fallback else Markup("")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=translate, pick=pick, lang=current_language)

    @app.after_request
    def _remember_language(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        if response.mimetype == "text/html":
            response.headers.add("Vary", "Accept-Language, Cookie")
        return response
