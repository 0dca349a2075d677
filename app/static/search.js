// As-you-type search: asks /api/search and redraws the hits, each with its kind, and the
// "did you mean" link; the form works without it.
(function () {
  const input = document.querySelector("[data-live-search]");
  const hits = document.getElementById("hits");
  if (!input || !hits) return;
  const retired = document.querySelector("input[name=retired]");
  const lang = document.documentElement.lang;
  let timer = null;
  let last = "";
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function render(data) {
    hits.textContent = "";
    if (data.suggestion) {
      const p = element("p", "did-you-mean", hits.dataset.didYouMean + " ");
      const link = element("a", "", data.suggestion);
      link.href = data.suggestion_href;
      p.appendChild(link);
      hits.appendChild(p);
    }
    if (data.hits.length === 0) {
      hits.appendChild(element("p", "", hits.dataset.none));
      return;
    }
    const list = element("ol", "hits");
    for (const hit of data.hits) {
      const item = element("li", hit.status);
      item.appendChild(element("span", "kind kind-" + hit.kind, hit.kind_label));
      item.appendChild(document.createTextNode(" "));
      const link = element("a", "", hit.label);
      link.href = hit.href || hit.iri;
      item.appendChild(link);
      if (hit.kind === "column" && hit.within) {
        item.appendChild(element("div", "within", hits.dataset.within + " " + hit.within));
      }
      if (hit.definition) item.appendChild(element("p", "", hit.definition));
      list.appendChild(item);
    }
    hits.appendChild(list);
  }
  function run() {
    const q = input.value.trim();
    const key = q + (retired && retired.checked ? "|r" : "");
    if (q === "" || key === last) return;
    last = key;
    const params = new URLSearchParams({ q: q, lang: lang });
    if (retired && retired.checked) params.set("retired", "1");
    fetch("/api/search?" + params.toString())
      .then((r) => r.json())
      .then(render)
      .catch(() => {});
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  if (retired) retired.addEventListener("change", run);
})();
