"""The words of the registry's pages (a standard, a release, a system, a conformance record,
a proposal and its review), in Japanese and English; :mod:`app.i18n` adds them to its
messages."""

from __future__ import annotations

from cityref.text import Bilingual

REGISTRY_MESSAGES: dict[str, Bilingual] = {
    "raw.statements": Bilingual("元の記述（RDF）", "Raw statements (RDF)"),
    "standard.kind": Bilingual("標準", "standard"),
    "standard.alternative": Bilingual("別名", "Also called"),
    "standard.publisher": Bilingual("発行者", "Publisher"),
    "standard.status": Bilingual("状態", "Status"),
    "standard.current": Bilingual("現行版", "Current edition"),
    "standard.no_edition": Bilingual(
        "版の記録はありません（版番号なしで改訂される標準です）",
        "No edition is recorded (the standard is revised without numbered editions)",
    ),
    "standard.covers": Bilingual("対象とする範囲", "What it covers"),
    "standard.domains": Bilingual("分野", "Domains"),
    "standard.function_groups": Bilingual("都市OSの機能群", "City OS function groups"),
    "standard.references": Bilingual("参照する標準", "Standards it builds on"),
    "standard.referenced_by": Bilingual("この標準を参照する標準", "Standards building on it"),
    "standard.editions": Bilingual("版", "Editions"),
    "standard.edition": Bilingual("版", "Edition"),
    "standard.issued": Bilingual("発行日", "Issued"),
    "standard.note": Bilingual("備考", "Note"),
    "standard.is_current": Bilingual("現行", "current"),
    "standard.profiles": Bilingual(
        "この標準を実装するプロファイル", "Profiles implementing this standard"
    ),
    "standard.no_profiles": Bilingual(
        "この標準を実装するプロファイルはまだありません。",
        "No profile implements this standard yet.",
    ),
    "standard.terms": Bilingual(
        "対応づけられた参照モデルの用語", "Reference Model terms aligned to it"
    ),
    "standard.no_terms": Bilingual(
        "この標準に対応づけられた用語はまだありません。", "No term is aligned to it yet."
    ),
    "standard.element": Bilingual("標準の要素", "Element of the standard"),
    "standard.our_term": Bilingual("参照モデルの用語", "Reference Model term"),
    "standard.match": Bilingual("対応の度合い", "Match"),
    "standard.links": Bilingual("標準を読む", "Read the standard"),
    "standard.homepage": Bilingual("公式サイト", "Official site"),
    "release.kind": Bilingual("リリース", "release"),
    "release.issued": Bilingual("公開日", "Issued"),
    "release.notes": Bilingual("リリースノート", "Release notes"),
    "release.contents": Bilingual("収録内容", "What it holds"),
    "release.count.modules": Bilingual("オントロジーのモジュール", "Ontology modules"),
    "release.count.classes": Bilingual("クラス", "Classes"),
    "release.count.properties": Bilingual("属性", "Properties"),
    "release.count.concepts": Bilingual("概念", "Concepts"),
    "release.count.profiles": Bilingual("アプリケーションプロファイル", "Application profiles"),
    "release.count.proposals": Bilingual("取り込んだ提案", "Proposals included"),
    "release.changes": Bilingual("前の版からの変更", "Changes since the previous release"),
    "release.first": Bilingual(
        "最初のリリースです（比較する前の版はありません）。",
        "This is the first release (there is no earlier one to compare).",
    ),
    "release.change_count": Bilingual(
        "{old} から {changes} 件の変更（うち破壊的な変更 {breaking} 件）。",
        "{changes} changes since {old}, {breaking} of them breaking.",
    ),
    "release.changelog": Bilingual(
        "リリースとともに書かれた変更履歴（取り込んだ提案と意味的な差分）",
        "The changelog written with the release (its proposals and the semantic diff)",
    ),
    "release.see_diff": Bilingual("変更の一覧を見る", "See every change"),
    "release.to_working": Bilingual("作業中の版との差分", "Changes since, in the working tree"),
    "release.downloads": Bilingual("ダウンロード（Turtle）", "Downloads (Turtle)"),
    "release.files": Bilingual("{n} 個のファイル（名前付きグラフ）", "{n} files (named graphs)"),
    "release.record": Bilingual("リリースの記録", "The release record"),
    "release.proposals": Bilingual("取り込んだ提案", "Proposals included"),
    "system.kind": Bilingual("登録システム", "registered system"),
    "system.vendor": Bilingual("ベンダー", "Vendor"),
    "system.product": Bilingual("製品", "Product"),
    "system.version": Bilingual("製品の版", "Product version"),
    "system.domains": Bilingual("分野", "Domains"),
    "system.claims": Bilingual("適合を表明しているプロファイル", "Profiles it claims"),
    "system.records": Bilingual("適合記録", "Conformance records"),
    "system.latest": Bilingual("最新の判定", "Latest verdict"),
    "system.badge_alt": Bilingual("適合性バッジ", "Conformance badge"),
    "system.no_record": Bilingual("記録なし", "no record"),
    "system.badge_embed": Bilingual(
        "このバッジは次のアドレスで埋め込めます:", "Embed this badge from:"
    ),
    "system.page": Bilingual("システムのページ", "System page"),
    "record.title": Bilingual("適合記録", "Conformance record"),
    "record.system": Bilingual("システム", "System"),
    "record.profile": Bilingual("プロファイル", "Profile"),
    "record.release": Bilingual("プロファイルの版", "Profile release"),
    "record.time": Bilingual("検証日時", "Validated"),
    "record.verdict": Bilingual("判定", "Verdict"),
    "record.results": Bilingual("結果の件数", "Results"),
    "record.counts": Bilingual(
        "違反 {violations} 件、警告 {warnings} 件、情報 {infos} 件",
        "{violations} violations, {warnings} warnings, {infos} notes",
    ),
    "record.engine": Bilingual("検証エンジン", "Validation engine"),
    "record.data": Bilingual("検証したデータ（SHA-256）", "Data validated (SHA-256)"),
    "record.failures": Bilingual("満たさなかった制約", "Constraints not met"),
    "record.no_failures": Bilingual(
        "満たさなかった制約はありません。", "Every constraint was met."
    ),
    "record.count": Bilingual("件数", "Results"),
    "record.rule": Bilingual("規則", "Rule"),
    "record.report": Bilingual("検証結果", "Validation report"),
    "record.report_download": Bilingual(
        "保存された検証結果（JSON-LD）をダウンロード", "Download the stored report (JSON-LD)"
    ),
    "record.no_report": Bilingual(
        "この記録には保存された検証結果がありません。", "This record has no stored report."
    ),
    "record.used_terms": Bilingual("データが使った用語", "Terms the data used"),
    "named.link": Bilingual("リンク", "Link"),
    "named.related": Bilingual("関係", "Related"),
    "named.inverse": Bilingual("これを{relation}とするもの", "is {relation} of"),
    "proposal.state": Bilingual("状態", "State"),
    "proposal.author": Bilingual("提案者", "Proposed by"),
    "proposal.created": Bilingual("提案日時", "Proposed"),
    "proposal.what": Bilingual("何をするか", "What it does"),
    "proposal.in_words": Bilingual("変更の内容", "The change in words"),
    "proposal.change": Bilingual("変更", "Change"),
    "proposal.adds": Bilingual("追加", "adds"),
    "proposal.removes": Bilingual("削除", "removes"),
    "proposal.subject": Bilingual("対象", "Subject"),
    "proposal.predicate": Bilingual("属性", "Property"),
    "proposal.value": Bilingual("値", "Value"),
    "proposal.as_diff": Bilingual("パッチ（差分）", "The patch, as a diff"),
    "proposal.changed_files": Bilingual("変更したファイル", "Files changed"),
    "proposal.history": Bilingual("レビューの履歴", "Review history"),
    "proposal.no_reviews": Bilingual("まだレビューはありません。", "No review yet."),
    "proposal.reviewer": Bilingual("レビュー担当", "Reviewer"),
    "proposal.decision": Bilingual("判断", "Decision"),
    "proposal.comment": Bilingual("コメント", "Comment"),
    "proposal.date": Bilingual("日時", "Date"),
    "proposal.review": Bilingual("レビューする", "Review"),
    "proposal.reviewing_as": Bilingual("レビュー担当として:", "Reviewing as:"),
    "proposal.accept": Bilingual(
        "採択する（パッチをソースに適用します）", "Approve (applies the patch to the sources)"
    ),
    "proposal.request_changes": Bilingual(
        "修正を依頼する（提案は未決のまま）", "Request changes (the proposal stays open)"
    ),
    "proposal.reject": Bilingual("却下する", "Reject"),
    "proposal.comment_help": Bilingual(
        "修正の依頼と却下にはコメントが必要です。",
        "Requesting changes or rejecting needs a comment.",
    ),
    "proposal.send_review": Bilingual("レビューを送る", "Send the review"),
    "proposal.sign_out": Bilingual("トークンを忘れる", "Forget my token"),
    "proposal.closed": Bilingual(
        "この提案はレビュー待ちではないため、レビューできません。",
        "This proposal is no longer open, so it cannot be reviewed.",
    ),
    "proposal.how_review": Bilingual(
        "レビューできるのは、書き込み権限のあるトークン（管理者が cityref token create "
        "で発行）を持つ人です。採択するとパッチがソースに適用され、次のビルドとリリースに"
        "反映されます。修正の依頼では提案は未決のまま残り、却下には理由が必要です。",
        "Holders of a write token (issued by an administrator with cityref token create) "
        "review proposals. Approving applies the patch to the sources, and the next build and "
        "release carry it; requesting changes leaves the proposal open; rejecting needs a "
        "reason.",
    ),
    "proposal.token_intro": Bilingual(
        "トークンをお持ちなら、入力するとレビューのフォームが表示されます。トークンは"
        "このブラウザーのクッキーにだけ保存され、ページには表示されません。",
        "If you hold one, type it to see the review form. It is kept only in this browser's "
        "cookie, never shown in a page.",
    ),
    "proposal.token": Bilingual("書き込みトークン", "Write token"),
    "proposal.show_form": Bilingual("レビューのフォームを表示", "Show the review form"),
}
