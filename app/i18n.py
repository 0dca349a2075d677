"""Japanese and English for every page: the language in force and the interface's words.

The language comes from ``?lang=`` (which also sets a cookie, so the choice sticks), then the
cookie, then the browser's Accept-Language; Japanese when nothing says otherwise. Every word
of the interface is a key of :data:`MESSAGES` with both languages; a test walks the pages and
checks that no text of the other language shows through.

The API answers differently (:func:`api_language`): ``?lang=`` or Accept-Language narrows its
texts to one language; without either it gives both.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, Response, g, request
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.conversion_messages import CONVERSION_MESSAGES
from app.model_messages import MODEL_PAGE_MESSAGES
from app.registry_messages import REGISTRY_MESSAGES
from cityref.text import LANGUAGES, Bilingual

COOKIE = "cityref_lang"

MESSAGES: dict[str, Bilingual] = {
    "site.tagline": Bilingual(
        "スーパーシティのリファレンスモデル",
        "The Super City Reference Model",
    ),
    "nav.home": Bilingual("ホーム", "Home"),
    "nav.search": Bilingual("検索", "Search"),
    "nav.query": Bilingual("SPARQL クエリ", "SPARQL query"),
    "nav.standards": Bilingual("標準", "Standards"),
    "nav.validate": Bilingual("データ検証", "Validate data"),
    "nav.language": Bilingual("English", "日本語"),
    # The link's name starts with its visible text (the other language's name), so speech
    # input users can say what they see.
    "nav.language.label": Bilingual(
        "English（英語の表示に切り替える）", "日本語 (switch to Japanese)"
    ),
    "home.title": Bilingual("スーパーシティ構想の全体像", "The Super City landscape"),
    "home.intro": Bilingual(
        "各分野の到達すべき姿、データ連携、実証実験、課題を、関係府省の取組（案）の表のとおりに示します。"
        "分野名から、その分野の語彙・プロファイル・標準へ進めます。",
        "Each domain's target state, data linkage, pilots and challenges, as the tables of "
        "the ministries' joint plan show them. Follow a domain to its vocabulary, profiles "
        "and standards.",
    ),
    "home.purpose": Bilingual(
        "スーパーシティのリファレンスモデル（語彙、データの形式を定めるプロファイル、関連する標準）を"
        "知識グラフとして公開し、閲覧・問い合わせ・データの検証に使えるようにしたサイトです。",
        "This site publishes the Super City Reference Model (its vocabulary, the profiles "
        "that fix the shape of data, the standards it relies on) as a knowledge graph: browse "
        "it, query it, and check data against it.",
    ),
    "home.uses": Bilingual("ここでできること", "What you can do here"),
    "home.architects": Bilingual("アーキテクト", "Architects"),
    "home.architects.browse": Bilingual(
        "分野から参照モデルをたどる（下の全体像）", "Browse the Reference Model by domain (below)"
    ),
    "home.architects.search": Bilingual("語彙を検索する", "Search the vocabulary"),
    "home.architects.query": Bilingual(
        "SPARQL で問い合わせる（質問例つき）", "Query it with SPARQL (with example questions)"
    ),
    "home.architects.standards": Bilingual(
        "標準とその実装状況を見る", "See the standards and what implements them"
    ),
    "home.vendors": Bilingual("ベンダー・自治体", "Vendors and municipalities"),
    "home.vendors.validate": Bilingual(
        "データファイルをプロファイルで検証する（CSV、GTFS-JP、NGSI-LD、RDF）",
        "Check a data file against a profile (CSV, GTFS-JP, NGSI-LD, RDF)",
    ),
    "home.vendors.profiles": Bilingual("プロファイルの一覧", "The profiles"),
    "home.maintainers": Bilingual("モデルの保守担当", "Maintainers of the model"),
    "home.maintainers.proposals": Bilingual(
        "語やシェイプの変更の提案とレビュー", "Proposals to change terms and shapes, and reviews"
    ),
    "home.maintainers.releases": Bilingual(
        "リリースと版の間の変更", "Releases and the changes between them"
    ),
    "home.maintainers.systems": Bilingual(
        "登録システムと適合性の記録", "Registered systems and their conformance records"
    ),
    "home.landscape": Bilingual("分野ごとの取組", "Domain by domain"),
    "home.domain": Bilingual("領域", "Domain"),
    "home.landscape_table": Bilingual(
        "分野ごとの取組の表（横にスクロールできます）", "The domains' table (scrolls sideways)"
    ),
    "home.field": Bilingual("Society 5.0 の分野", "Society 5.0 field"),
    "home.area": Bilingual("スーパーシティ構成領域", "Super City area"),
    "kind.TargetState": Bilingual("到達すべき姿", "Target state"),
    "kind.DataLinkageStatus": Bilingual("データ連携", "Data linkage"),
    "kind.Pilot": Bilingual("実証実験", "Pilots"),
    "kind.Challenge": Bilingual("課題", "Challenges"),
    "home.layers": Bilingual("三つの層", "The three layers"),
    "home.principles": Bilingual("スーパーシティの要諦", "The Super City principles"),
    "home.funding": Bilingual("活用可能な予算（平成30年度）", "Funding available (FY2018)"),
    "funding.kind.Grant": Bilingual("交付金・補助金", "Grant or subsidy"),
    "funding.kind.FiscalInvestmentAndLoan": Bilingual("財政投融資", "Fiscal investment and loan"),
    "funding.amount": Bilingual("金額（円）", "Amount (JPY)"),
    "funding.agency": Bilingual("所管", "Ministry"),
    "funding.name": Bilingual("名称", "Name"),
    "funding.kind": Bilingual("種類", "Kind"),
    "funding.total": Bilingual("合計", "Total"),
    "none": Bilingual("—", "—"),
    "domain.landscape": Bilingual("取組の現状と課題", "Current work and challenges"),
    "domain.agencies": Bilingual("関係府省", "Agencies"),
    "domain.programmes": Bilingual("プログラム", "Programmes"),
    "domain.organisations": Bilingual("組織", "Organisations"),
    "domain.platforms": Bilingual("基盤", "Platforms"),
    "domain.laws": Bilingual("法令", "Laws"),
    "domain.data_kinds": Bilingual("データの種類", "Kinds of data"),
    "domain.classes": Bilingual("語彙（クラス）", "Vocabulary (classes)"),
    "domain.profiles": Bilingual("アプリケーションプロファイル", "Application profiles"),
    "domain.standards": Bilingual("関連する標準", "Standards"),
    "domain.funding": Bilingual("活用可能な予算", "Funding available"),
    "search.title": Bilingual(
        "語彙・プロファイル・標準を検索", "Search terms, profiles and standards"
    ),
    "search.label": Bilingual("検索語", "Search terms"),
    "search.placeholder": Bilingual(
        "例：避難所、バス停、ひなんじょ、bus stop", "e.g. 避難所, バス停, ひなんじょ, bus stop"
    ),
    "search.retired": Bilingual("廃止された語も表示", "Show retired terms"),
    "search.none": Bilingual("該当するものはありません。", "Nothing matches."),
    "search.results": Bilingual("件", "results"),
    "search.did_you_mean": Bilingual("もしかして：", "Did you mean:"),
    "search.within": Bilingual("プロファイル：", "Profile:"),
    "status.deprecated": Bilingual("非推奨", "deprecated"),
    "status.retired": Bilingual("廃止", "retired"),
    "query.title": Bilingual("SPARQL クエリ", "SPARQL query"),
    "query.intro": Bilingual(
        "モデル全体（すべての名前付きグラフの和）に問い合わせます。例の質問から始められます。",
        "Query the whole model (the union of every named graph). Start from an example.",
    ),
    "query.examples": Bilingual("アーキテクトの質問", "The architects' questions"),
    "query.nojs": Bilingual(
        "JavaScript なしでも、下のフォームで実行できます。",
        "Without JavaScript, the form below runs the query.",
    ),
    "query.run": Bilingual("実行", "Run"),
    "query.current": Bilingual("質問:", "Question:"),
    # YASGUI's controls, named in the page's language (app/static/query.js applies them).
    "yasgui.editor": Bilingual("SPARQL クエリの編集欄", "SPARQL query editor"),
    "yasgui.endpoint": Bilingual("問い合わせ先（SPARQL エンドポイント）", "SPARQL endpoint"),
    "yasgui.clear_endpoint": Bilingual("問い合わせ先を消去", "Clear the endpoint"),
    "yasgui.settings_open": Bilingual("要求の設定を開く", "Open the request settings"),
    "yasgui.settings_close": Bilingual("要求の設定を閉じる", "Close the request settings"),
    "yasgui.share": Bilingual("このクエリへのリンクを作る", "Make a link to this query"),
    "yasgui.share_link": Bilingual("このクエリへのリンク", "Link to this query"),
    "yasgui.run": Bilingual("クエリを実行", "Run the query"),
    "yasgui.table": Bilingual("表", "Table"),
    "yasgui.table_view": Bilingual("結果を表で見る", "Show the results as a table"),
    "yasgui.response": Bilingual("応答", "Response"),
    "yasgui.response_view": Bilingual("応答をそのまま見る", "Show the response as it came"),
    "yasgui.download": Bilingual("結果をダウンロード", "Download the results"),
    "yasgui.docs": Bilingual("この表示の説明（YASGUI、英語）", "About this view (YASGUI)"),
    "yasgui.filter": Bilingual("結果を絞り込む", "Filter the results"),
    "yasgui.page_size": Bilingual("1 ページの行数", "Rows per page"),
    "yasgui.simple_view": Bilingual("簡易表示", "Simple view"),
    "yasgui.ellipse": Bilingual("長い値を省略", "Shorten long values"),
    "yasgui.results": Bilingual("{count} 件（{seconds} 秒）", "{count} results in {seconds} s"),
    "yasgui.tab_name": Bilingual("タブの名前", "Tab name"),
    "yasgui.info": Bilingual("全 _TOTAL_ 件中 _START_–_END_ 件目", "Rows _START_–_END_ of _TOTAL_"),
    "yasgui.info_empty": Bilingual("0 件", "No rows"),
    "yasgui.info_filtered": Bilingual("（全 _MAX_ 件から絞り込み）", "(filtered from _MAX_)"),
    "yasgui.zero_records": Bilingual("一致する結果はありません", "No matching results"),
    "yasgui.empty": Bilingual("結果はありません", "No results"),
    "yasgui.sort": Bilingual("：並べ替える", ": sort"),
    "yasgui.page_first": Bilingual("最初のページ", "First page"),
    "yasgui.page_last": Bilingual("最後のページ", "Last page"),
    "yasgui.page_next": Bilingual("次のページ", "Next page"),
    "yasgui.page_previous": Bilingual("前のページ", "Previous page"),
    "yasgui.name": Bilingual("名前", "name"),
    "yasgui.value": Bilingual("値", "value"),
    "yasgui.language": Bilingual("言語", "Language"),
    "yasgui.datatype": Bilingual("データ型", "Datatype"),
    "yasgui.menu.method": Bilingual("要求の方式", "Request method"),
    "yasgui.menu.accept": Bilingual("応答の形式", "Answer formats"),
    "yasgui.menu.accept_select": Bilingual("ASK・SELECT の応答", "Answers to ASK and SELECT"),
    "yasgui.menu.accept_graph": Bilingual(
        "CONSTRUCT・DESCRIBE の応答", "Answers to CONSTRUCT and DESCRIBE"
    ),
    "yasgui.menu.arguments": Bilingual("追加のパラメータ", "Extra parameters"),
    "yasgui.menu.headers": Bilingual("追加のヘッダー", "Extra headers"),
    "yasgui.menu.default_graphs": Bilingual("既定グラフ", "Default graphs"),
    "yasgui.menu.named_graphs": Bilingual("名前付きグラフ", "Named graphs"),
    "resource.formats": Bilingual("形式", "Formats"),
    "resource.property": Bilingual("属性", "Property"),
    "resource.value": Bilingual("値", "Value"),
    "resource.truncated": Bilingual("件数の上限で打ち切りました。", "Cut at the row limit."),
    "term.labels": Bilingual("ラベル", "Labels"),
    "term.status": Bilingual("状態", "Status"),
    "term.replaced_by": Bilingual("後継の語", "Replaced by"),
    "term.domains": Bilingual("分野", "Domains"),
    "term.module": Bilingual("モジュール", "Module"),
    "term.hierarchy": Bilingual("クラス階層", "Hierarchy"),
    "term.supers": Bilingual("直接の上位", "Direct superclasses"),
    "term.supers_inferred": Bilingual(
        "すべての上位（推論を含む）", "All superclasses (inferred too)"
    ),
    "term.subs": Bilingual("直接の下位", "Direct subclasses"),
    "term.subs_inferred": Bilingual("すべての下位（推論を含む）", "All subclasses (inferred too)"),
    "term.graph": Bilingual("このクラスの周辺の図", "A picture of this class's neighbourhood"),
    "term.properties": Bilingual("属性（継承を含む）", "Properties (inherited too)"),
    "term.range": Bilingual("値域", "Range"),
    "term.inherited": Bilingual("継承元", "Inherited from"),
    "term.shapes": Bilingual("このクラスを検査するシェイプ", "Shapes that check it"),
    "term.alignments": Bilingual("外部標準との対応", "Alignments with external standards"),
    "term.examples": Bilingual("例", "Examples"),
    "term.history": Bilingual("リリース履歴", "History across releases"),
    "term.in_releases": Bilingual("収録リリース:", "In releases:"),
    "term.no_release": Bilingual("まだリリースに含まれていません。", "Not in a release yet."),
    "status.draft": Bilingual("草案", "draft"),
    "status.candidate": Bilingual("候補", "candidate"),
    "status.adopted": Bilingual("採用", "adopted"),
    "standards.title": Bilingual("標準カタログ", "Standards catalogue"),
    "standards.intro": Bilingual(
        "各分野が依拠する標準と、その要素を実装する参照モデルの語・プロファイルの数（領域×標準）。"
        "空欄はその標準がその領域に関わらないこと、0 は未実装（ギャップ）を示します。",
        "The standards each domain relies on, and how many of our terms and profiles implement "
        "their elements (domains x standards). Blank: the standard does not serve the domain; "
        "0: nothing of ours implements it yet (a gap).",
    ),
    "standards.matrix": Bilingual("カバレッジ行列", "Coverage matrix"),
    "standards.list": Bilingual("標準の一覧", "All standards"),
    "standards.blocks": Bilingual(
        "都市OSの機能ブロックと実装する標準",
        "City OS function blocks and the standards implementing them",
    ),
    "standards.blocks-intro": Bilingual(
        "スマートシティリファレンスアーキテクチャの都市OSの機能ブロックごとに、それを実装するカタログの標準。標準のないブロックはギャップ。",
        "For each function block of the city OS in the Smart City Reference Architecture, the "
        "catalogue's standards that implement it. A block without a standard is a gap.",
    ),
    "standards.group": Bilingual("機能群", "Function group"),
    "standards.block": Bilingual("機能ブロック", "Function block"),
    "standards.no-standard": Bilingual("標準なし（ギャップ）", "No standard (gap)"),
    "standards.standard": Bilingual("標準", "Standard"),
    "standards.publisher": Bilingual("発行者", "Publisher"),
    "standards.status": Bilingual("状態", "Status"),
    "standards.version": Bilingual("現行版", "Current version"),
    "validate.title": Bilingual("データを検証", "Validate data"),
    "validate.intro": Bilingual(
        "CSV（UTF-8 または Shift_JIS）、GTFS-JP の zip、NGSI-LD の JSON、RDF を、参照モデルの"
        "プロファイルで検証します。プロファイルは指定しなければデータから判定します。",
        "Check CSV (UTF-8 or Shift_JIS), a GTFS-JP zip, NGSI-LD JSON or RDF against a profile "
        "of the Reference Model. Without a profile, it is detected from the data.",
    ),
    "validate.file": Bilingual("ファイル", "File"),
    "validate.paste": Bilingual("または貼り付け", "Or paste"),
    "validate.filename": Bilingual("貼り付けたデータのファイル名", "File name for pasted data"),
    "validate.profile": Bilingual("プロファイル", "Profile"),
    "validate.detect": Bilingual("データから判定", "Detect from the data"),
    "validate.submit": Bilingual("検証する", "Validate"),
    "validate.api": Bilingual("プログラムからは", "From a program:"),
    "report.title": Bilingual("検証結果", "Validation report"),
    "report.running": Bilingual("検証中です…", "Validating…"),
    "report.queued": Bilingual(
        "ほかの検証が終わるのを待っています…", "Waiting for other validations to finish…"
    ),
    "report.progress": Bilingual("進み具合", "Progress"),
    "report.total": Bilingual("結果の総数", "Results in all"),
    "report.downloads": Bilingual("ダウンロード", "Downloads"),
    "report.shape": Bilingual("シェイプ", "Shape"),
    "report.where": Bilingual("場所", "Where"),
    "report.severity": Bilingual("重大度", "Severity"),
    "report.message": Bilingual("内容", "Message"),
    "report.value": Bilingual("値", "Value"),
    "report.row": Bilingual("行", "row"),
    "report.column": Bilingual("列", "column"),
    "report.again": Bilingual("別のデータを検証する", "Validate other data"),
    "report.summary": Bilingual(
        "直すこと（制約ごとのまとめ）", "What to fix, constraint by constraint"
    ),
    "report.column_or_path": Bilingual("列・パス", "Column or path"),
    "report.count": Bilingual("件数", "Results"),
    "report.rows": Bilingual("行", "Rows"),
    "report.example": Bilingual("メッセージの例", "Example message"),
    "severity.Violation": Bilingual("違反", "Violation"),
    "severity.Warning": Bilingual("警告", "Warning"),
    "severity.Info": Bilingual("情報", "Info"),
    "report.sections": Bilingual("結果（制約と列ごと）", "Results, constraint by constraint"),
    "report.filter": Bilingual("結果を絞り込む", "Narrow the results"),
    "report.filter_all": Bilingual("すべて", "All"),
    "report.filter_apply": Bilingual("絞り込む", "Apply"),
    "report.filter_clear": Bilingual("絞り込みを解除", "Show all results"),
    "report.filter_shown": Bilingual(
        "{total} 件中 {shown} 件を表示しています。", "Showing {shown} of {total} results."
    ),
    "report.filter_none": Bilingual(
        "この条件に合う結果はありません。", "No result matches these filters."
    ),
    "report.show_more": Bilingual("残り {n} 件を表示", "Show {n} more"),
    "report.results_count": Bilingual("{n} 件", "{n} result(s)"),
    "report.rows_in": Bilingual("行 {rows}", "rows {rows}"),
    "nav.registry": Bilingual("レジストリ", "Registry"),
    "releases.title": Bilingual("リリース", "Releases"),
    "releases.intro": Bilingual(
        "参照モデルの番号付きリリース。隣り合う版の差分（変更履歴）を表示できます。",
        "The numbered releases of the Reference Model, with the changes between them.",
    ),
    "releases.version": Bilingual("版", "Version"),
    "releases.issued": Bilingual("公開日", "Issued"),
    "releases.changes": Bilingual("変更", "Changes"),
    "releases.working": Bilingual("作業中の版", "working tree"),
    "releases.none": Bilingual("まだリリースはありません。", "No release yet."),
    "diff.title": Bilingual("差分", "Changes"),
    "diff.old": Bilingual("比較元", "From"),
    "diff.new": Bilingual("比較先", "To"),
    "diff.compare": Bilingual("比較", "Compare"),
    "diff.count": Bilingual("件の変更", "changes"),
    "diff.breaking_count": Bilingual("件が破壊的", "breaking"),
    "diff.kind": Bilingual("種類", "Kind"),
    "diff.subject": Bilingual("対象", "Subject"),
    "diff.change": Bilingual("内容", "Change"),
    "diff.breaking": Bilingual("破壊的", "breaking"),
    "diff.none": Bilingual("変更はありません。", "No change."),
    "proposals.title": Bilingual("提案", "Proposals"),
    "proposals.intro": Bilingual(
        "語やシェイプの追加・変更・非推奨化・廃止の提案と、そのレビュー。",
        "Proposals to add, change, deprecate or retire terms and shapes, and their reviews.",
    ),
    "proposals.one": Bilingual("提案", "Proposal"),
    "proposals.kind": Bilingual("種別", "Kind"),
    "proposals.proposer": Bilingual("提案者", "Proposer"),
    "proposals.status": Bilingual("状態", "Status"),
    "proposals.rationale": Bilingual("理由", "Rationale"),
    "proposals.targets": Bilingual("対象", "Targets"),
    "proposals.evidence": Bilingual("根拠", "Evidence"),
    "proposals.removals": Bilingual("削除", "Removed"),
    "proposals.additions": Bilingual("追加", "Added"),
    "proposals.none": Bilingual("提案はありません。", "No proposal."),
    "proposals.submit": Bilingual("提案を送る", "Submit a proposal"),
    "proposals.submit_intro": Bilingual(
        "書き込み権限のあるトークンを持つ人が、パッチ（TriG）と日英の理由を添えて提案できます。",
        "Holders of a write token submit a patch (TriG) with its rationale in both languages.",
    ),
    "proposals.token": Bilingual("トークン", "Token"),
    "systems.title": Bilingual("登録システム", "Registered systems"),
    "systems.intro": Bilingual(
        "プロファイルへの適合を表明したシステムと、その適合性の記録。",
        "Systems that claim conformance to profiles, and their conformance records.",
    ),
    "systems.claims": Bilingual("表明しているプロファイル", "Claimed profiles"),
    "systems.time": Bilingual("日時", "Time"),
    "systems.profile": Bilingual("プロファイル", "Profile"),
    "systems.verdict": Bilingual("判定", "Verdict"),
    "systems.no_records": Bilingual("記録はまだありません。", "No record yet."),
    "systems.none": Bilingual("登録されたシステムはありません。", "No system is registered."),
    "error.title.400": Bilingual("リクエストに誤りがあります", "Something in the request is wrong"),
    "error.title.403": Bilingual("この操作はできません", "This is not allowed"),
    "error.title.404": Bilingual("ページが見つかりません", "Page not found"),
    "error.title.405": Bilingual("この方法では開けません", "This address does not take that"),
    "error.title.408": Bilingual("送信が遅すぎます", "The upload was too slow"),
    "error.title.410": Bilingual("廃止されました", "Retired"),
    "error.title.413": Bilingual("大きすぎます", "Too large"),
    "error.title.415": Bilingual("この形式は読めません", "A format we cannot read"),
    "error.title.422": Bilingual("データを処理できません", "The data cannot be processed"),
    "error.title.429": Bilingual("リクエストが多すぎます", "Too many requests"),
    "error.title.500": Bilingual("サーバーでエラーが起きました", "Something broke on our side"),
    "error.title.503": Bilingual("いまは応じられません", "Not available right now"),
    "error.title.other": Bilingual("リクエストを処理できません", "The request was not handled"),
    "error.advice.400": Bilingual(
        "入力を確かめて、もう一度お試しください。", "Check what you entered and try again."
    ),
    "error.advice.403": Bilingual(
        "ページを開き直してから、もう一度送ってください。",
        "Open the page again, then send it once more.",
    ),
    "error.advice.404": Bilingual(
        "アドレスを確かめるか、検索で探してください。語の名前が変わったのかもしれません。",
        "Check the address, or search for what you were looking for: the term may have "
        "another name.",
    ),
    "error.advice.405": Bilingual(
        "このアドレスはリンクから開くか、そのページのフォームから送ってください。",
        "Open this address from a link, or send it from its page's form.",
    ),
    "error.advice.408": Bilingual(
        "回線を確かめて、もう一度送ってください。", "Check the connection and send it again."
    ),
    "error.advice.410": Bilingual(
        "後継の語があれば、下のリンクから開けます。",
        "Its replacement, when it has one, is linked below.",
    ),
    "error.advice.413": Bilingual(
        "ファイルを分けて送るか、大きなファイルはコマンドライン（cityref validate）で"
        "検証してください。",
        "Split the file, or check large files with the command line (cityref validate).",
    ),
    "error.advice.415": Bilingual(
        "CSV、GTFS-JP の zip、NGSI-LD の JSON、RDF のいずれかを送ってください。",
        "Send CSV, a GTFS-JP zip, NGSI-LD JSON or RDF.",
    ),
    "error.advice.422": Bilingual(
        "データを直すか、別のプロファイルを選んで、もう一度お試しください。",
        "Correct the data or choose another profile, then try again.",
    ),
    "error.advice.429": Bilingual(
        "少し待ってから、もう一度お試しください。", "Wait a moment, then try again."
    ),
    "error.advice.500": Bilingual(
        "時間をおいて、もう一度お試しください。続くときはサイトの管理者に知らせてください。",
        "Try again later; if it keeps happening, tell the site's maintainers.",
    ),
    "error.advice.503": Bilingual(
        "しばらく待ってから、もう一度お試しください。", "Wait a little, then try again."
    ),
    "error.advice.other": Bilingual(
        "前のページに戻るか、ホームから進んでください。",
        "Go back, or start again from the home page.",
    ),
    "error.code": Bilingual("HTTP ステータス", "HTTP status"),
    "error.what": Bilingual("何が起きたか", "What happened"),
    "error.next": Bilingual("次にできること", "What you can do"),
    "error.where": Bilingual("場所", "Where"),
    "error.line": Bilingual("行", "line"),
    "error.column": Bilingual("列", "column"),
    "error.successor": Bilingual("後継の語を開く", "Open its replacement"),
    "error.search_for": Bilingual("この名前で検索する", "Search for this name"),
    "error.back": Bilingual("前のページに戻る", "Back to the previous page"),
    "error.home": Bilingual("ホームへ", "Go to the home page"),
    "error.search": Bilingual("語彙を検索する", "Search the vocabulary"),
    "error.validate": Bilingual("データを検証する", "Validate data"),
    "footer.licence": Bilingual(
        "モデルは CC BY 4.0、ソフトウェアは Apache-2.0 で提供します。",
        "The model is CC BY 4.0, the software Apache-2.0.",
    ),
}
MESSAGES.update(REGISTRY_MESSAGES)
MESSAGES.update(MODEL_PAGE_MESSAGES)
MESSAGES.update(CONVERSION_MESSAGES)


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


def language_asked(lang: str | None, accept_language: str | None) -> str | None:
    """The one language an API client asks for: ``lang`` when it is ``ja`` or ``en``, else
    the best of them in an Accept-Language header (``*`` names none); ``None`` for both."""
    if lang in LANGUAGES:
        return lang
    accepted = parse_accept_header(accept_language, LanguageAccept)
    named = LanguageAccept([(value, quality) for value, quality in accepted if value != "*"])
    return named.best_match(LANGUAGES)


def api_language() -> str | None:
    """:func:`language_asked` of the current request (no cookie: an API answer depends on
    the request alone)."""
    return language_asked(request.args.get("lang"), request.headers.get("Accept-Language"))


def translate(key: str) -> str:
    """The interface text ``key`` in the current language (a missing key is a bug: KeyError)."""
    return MESSAGES[key].in_language(current_language())


def pick(text: Bilingual | None) -> Markup:
    """A model text in the current language; else the other one, marked with its ``lang``
    so that screen readers (and the translation test) know it is not the page's language."""
    if text is None:
        return Markup("")
    lang = current_language()
    own = text.ja if lang == "ja" else text.en
    if own:
        return escape(own)
    other = "en" if lang == "ja" else "ja"
    fallback = text.in_language(other)
    return Markup(f'<span lang="{other}">{escape(fallback)}</span>') if fallback else Markup("")


def this_page(**changes: str | None) -> str:
    """This page's address with some query parameters set (``None`` drops one), for the
    language switch and the links to other formats. The path is percent-encoded again: a
    hash IRI's page is ``/def/core%23Facility``, and its query must not end up after a
    ``#``, inside the fragment."""
    params = [(name, value) for name, value in request.args.items(multi=True)]
    params = [(name, value) for name, value in params if name not in changes]
    params += [(name, value) for name, value in changes.items() if value is not None]
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=~")
    return f"{path}?{urlencode(params)}" if params else path


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=translate, pick=pick, lang=current_language, this_page=this_page)

    @app.after_request
    def _remember_language(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        if response.mimetype == "text/html":
            response.headers.add("Vary", "Accept-Language, Cookie")
        return response
