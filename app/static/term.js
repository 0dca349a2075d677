// The class's neighbourhood drawn with cytoscape.js: superclasses above, subclasses below,
// property ranges around; a click opens the term's page.
(function () {
  const holder = document.getElementById("neighbourhood");
  const data = document.getElementById("graph-data");
  if (!holder || !data || typeof cytoscape === "undefined") return;
  const lang = document.currentScript ? document.currentScript.dataset.lang : "ja";
  const base = document.body.dataset.baseIri; // the model's base IRI, from the page
  const graph = JSON.parse(data.textContent);
  const label = (d) => (lang === "ja" ? d.ja || d.en : d.en || d.ja) || d.id.split(/[#/]/).pop();
  const elements = graph.nodes.map((n) => ({ data: Object.assign({ name: label(n.data) }, n.data) }))
    .concat(graph.edges.map((e) => ({ data: Object.assign({ name: label(e.data) }, e.data) })));
  const cy = cytoscape({
    container: holder,
    elements: elements,
    layout: { name: "breadthfirst", directed: true, padding: 10 },
    style: [
      { selector: "node", style: { label: "data(name)", "background-color": "#0b4f9c",
        color: "#1a1a1a", "font-size": 11, "text-valign": "bottom", width: 14, height: 14 } },
      { selector: "node[role = 'self']", style: { "background-color": "#a05a00", width: 22, height: 22 } },
      { selector: "edge", style: { label: "data(name)", "font-size": 9, "curve-style": "bezier",
        "target-arrow-shape": "triangle", width: 1, "line-color": "#888", "target-arrow-color": "#888" } },
    ],
  });
  cy.on("tap", "node", (event) => {
    const id = event.target.id();
    if (id.startsWith(base)) {
      window.location.href = "/" + id.slice(base.length).replace("#", "%23");
    }
  });
})();
