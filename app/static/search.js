// As-you-type search: asks /api/search and redraws the hits; the form works without it.
(function () {
  const input = document.querySelector("[data-live-search]");
  const hits = document.getElementById("hits");
  if (!input || !hits) return;
  const retired = document.querySelector("input[name=retired]");
  const base = document.body.dataset.baseIri; // the model's base IRI, from the page
  let timer = null;
  let last = "";
  function render(data) {
    hits.textContent = "";
    const list = document.createElement("ol");
    list.className = "hits";
    for (const hit of data.hits) {
      const item = document.createElement("li");
      item.className = hit.status;
      const link = document.createElement("a");
      link.href = hit.iri.startsWith(base)
        ? "/" + hit.iri.slice(base.length).replace("#", "%23")
        : hit.iri;
      link.textContent = hit.label;
      item.appendChild(link);
      if (hit.definition) {
        const p = document.createElement("p");
        p.textContent = hit.definition;
        item.appendChild(p);
      }
      list.appendChild(item);
    }
    hits.appendChild(list);
  }
  function run() {
    const q = input.value.trim();
    const key = q + (retired && retired.checked ? "|r" : "");
    if (q === "" || key === last) return;
    last = key;
    const params = new URLSearchParams({ q: q });
    if (retired && retired.checked) params.set("retired", "1");
    fetch("/api/search?" + params.toString())
      .then((r) => r.json())
      .then(render)
      .catch(() => {});
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  if (retired) retired.addEventListener("change", run);
})();
