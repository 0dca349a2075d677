"""The words of the model's own pages (a profile, a shape, an ontology module), in Japanese and
English; :mod:`app.i18n` adds them to its messages."""

from __future__ import annotations

from cityref.text import Bilingual

MODEL_PAGE_MESSAGES: dict[str, Bilingual] = {
    "profile.kind": Bilingual("アプリケーションプロファイル", "Application profile"),
    "profile.version": Bilingual("版", "Version"),
    "profile.standards": Bilingual("準拠する標準", "Implements"),
    "profile.edition": Bilingual("準拠する版", "Edition followed"),
    "profile.edition_unknown": Bilingual("確認できていません", "not confirmed"),
    "profile.sources": Bilingual("列の出典", "Columns read from"),
    "profile.unconfirmed": Bilingual("未確認", "Unconfirmed"),
    "profile.input": Bilingual("読み込む形式", "Reads"),
    "profile.validate": Bilingual(
        "このプロファイルでファイルを検証する", "Validate a file against this profile"
    ),
    "profile.template_csv": Bilingual(
        "CSV のひな形（見出し行、UTF-8 BOM 付き: Excel でそのまま開けます）",
        "CSV template (the header row, UTF-8 with BOM: opens as is in Excel)",
    ),
    "profile.template_zip": Bilingual(
        "ひな形（ファイルごとの見出し行、zip）", "Template (each file's header row, zip)"
    ),
    "profile.examples": Bilingual("例のファイル", "Example files"),
    "profile.example_valid": Bilingual("適合する例", "conforming example"),
    "profile.example_invalid": Bilingual("誤りを含む例", "example with errors"),
    "profile.raw": Bilingual("定義そのもの（RDF）", "The statements themselves (RDF)"),
    "profile.columns": Bilingual("列", "Columns"),
    "profile.contents": Bilingual("目次", "Contents"),
    "profile.properties": Bilingual("検査する属性", "Properties checked"),
    "profile.file": Bilingual("ファイル", "File"),
    "profile.file_required": Bilingual("必須のファイル", "required file"),
    "profile.file_optional": Bilingual("任意のファイル", "optional file"),
    "profile.rows_are": Bilingual("行が表すもの", "Each row is a"),
    "profile.target": Bilingual("検査の対象", "Checks each"),
    "profile.name": Bilingual("名前", "Name"),
    "profile.requirement": Bilingual("要否", "Required?"),
    "profile.datatype": Bilingual("型", "Type"),
    "profile.rules": Bilingual("規則", "Rules"),
    "profile.example": Bilingual("例", "Example"),
    "profile.term": Bilingual("対応する語", "Term"),
    "profile.table_rules": Bilingual(
        "複数の列・属性にまたがる規則", "Rules over several columns or properties"
    ),
    "requirement.required": Bilingual("必須", "required"),
    "requirement.recommended": Bilingual("推奨", "recommended"),
    "requirement.optional": Bilingual("任意", "optional"),
    "profile.history": Bilingual("履歴", "History"),
    "profile.release": Bilingual("リリース", "Release"),
    "profile.change": Bilingual("変化", "Change"),
    "profile.change.added": Bilingual("追加", "added"),
    "profile.change.changed": Bilingual("変更あり", "changed"),
    "profile.change.unchanged": Bilingual("変更なし", "unchanged"),
    "profile.see_diff": Bilingual("差分を見る", "see the changes"),
    "shape.kind.NodeShape": Bilingual("ノードシェイプ", "Node shape"),
    "shape.kind.PropertyShape": Bilingual("プロパティシェイプ", "Property shape"),
    "shape.checks": Bilingual("検査すること", "What it checks"),
    "shape.message": Bilingual("違反したときの説明", "What a result says"),
    "shape.constraints": Bilingual("制約", "Constraints"),
    "shape.profile": Bilingual("プロファイル", "Profile"),
    "shape.shared": Bilingual("すべてのプロファイルに共通の検査", "A check every profile shares"),
    "shape.path": Bilingual("検査する属性・列", "Property or column checked"),
    "shape.target": Bilingual("対象", "Target"),
    "shape.parents": Bilingual("これを含むシェイプ", "Part of"),
    "shape.properties": Bilingual("含むプロパティシェイプ", "Property shapes it holds"),
    "module.kind": Bilingual("語彙モジュール", "Vocabulary module"),
    "module.version": Bilingual("版", "Version"),
    "module.licence": Bilingual("ライセンス", "Licence"),
    "module.imports": Bilingual("取り込むモジュール", "Imports"),
    "module.classes": Bilingual("クラス", "Classes"),
    "module.properties": Bilingual("プロパティ", "Properties"),
    "module.schemes": Bilingual("概念体系", "Concept schemes"),
    "module.concepts": Bilingual("概念", "Concepts"),
    # A release of the Reference Model is not a profile's version: the validate and profile
    # pages say which is which.
    "model_release.label": Bilingual("参照モデルのリリース", "Reference Model release"),
    "model_release.is": Bilingual(
        "参照モデルのリリース {release} のプロファイルと語彙で検証します。",
        "Validation here uses the profiles and vocabulary of Reference Model release {release}.",
    ),
    "model_release.working": Bilingual(
        "参照モデルの作業中の版（最新リリース {latest} 以後の未リリースの変更を含む）"
        "で検証します。",
        "Validation here uses the Reference Model's working tree: unreleased changes since "
        "its latest release, {latest}.",
    ),
    "model_release.none": Bilingual(
        "参照モデルはまだリリースされていません。作業中の版で検証します。",
        "The Reference Model has no release yet: validation uses its working tree.",
    ),
    "model_release.vs_profile": Bilingual(
        "参照モデルのリリース（例 1.0.0）は、語彙とすべてのプロファイルをまとめて固定した版で、"
        "/release/1.0.0/… の IRI でそのときの用語とシェイプを参照できます。"
        "プロファイルの版（例 ID@1.2.0 の 1.2.0）はそのプロファイル自身の規則の版で、"
        "リリースとは別に数えます。検証結果と適合記録は両方を示します。",
        "A release of the Reference Model (e.g. 1.0.0) fixes the vocabulary and every profile "
        "together; /release/1.0.0/… IRIs give the terms and shapes as they were in it. "
        "A profile's version (the 1.2.0 of ID@1.2.0) numbers that profile's own rules and "
        "is counted apart from the releases. Reports and conformance records name both.",
    ),
}
