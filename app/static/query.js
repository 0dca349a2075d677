// YASGUI against this server's /sparql, opened on the page's example question; the questions
// beside it load into the editor. The results table shows values as a person reads them
// (1, not "1"^^xsd:integer) and links the model's own IRIs to their pages here; every control
// of YASGUI gets a name in the page's language (the words come from the page).
(function () {
  const holder = document.getElementById("yasgui");
  if (!holder || typeof Yasgui === "undefined") return;
  const words = JSON.parse(document.getElementById("yasgui-words").textContent);
  const base = document.body.dataset.baseIri; // the model's base IRI, from the page
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const PLAIN_TYPES = new Set([
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    ...["string", "integer", "decimal", "double", "float", "boolean", "date", "dateTime",
      "gYear", "gYearMonth", "time", "nonNegativeInteger", "positiveInteger", "long", "int",
      "short", "anyURI"].map((name) => XSD + name),
  ]);

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }
  function shortName(iri, prefixes) {
    for (const [prefix, namespace] of Object.entries(prefixes || {})) {
      if (namespace && iri.startsWith(namespace)) return prefix + ":" + iri.slice(namespace.length);
    }
    return iri;
  }

  // The table plugin with its formatting replaced (its other behaviour is kept).
  class ValueTable extends Yasgui.Yasr.plugins.table {
    getUriLinkFromBinding(binding, prefixes) {
      const iri = binding.value;
      const shown = escapeHtml(shortName(iri, prefixes));
      if (base && iri.startsWith(base)) {
        const local = "/" + iri.slice(base.length).replace("#", "%23");
        return `<a class="iri" href="${escapeHtml(local)}">${shown}</a>`;
      }
      if (/^https?:\/\//i.test(iri)) {
        return `<a class="iri" href="${escapeHtml(iri)}" rel="noopener noreferrer">${shown}</a>`;
      }
      return `<span class="iri">${shown}</span>`; // no link for other schemes
    }
    formatLiteral(binding, prefixes) {
      const lang = binding["xml:lang"];
      if (lang) {
        const marked = /^(ja|en)$/i.test(lang) ? ` lang="${escapeHtml(lang)}"` : "";
        return `<span${marked}>${escapeHtml(binding.value)}</span> <span class="lang-tag"` +
          ` title="${escapeHtml(words.language)}">${escapeHtml(lang)}</span>`;
      }
      const value = escapeHtml(binding.value);
      if (!binding.datatype || PLAIN_TYPES.has(binding.datatype)) return value;
      return `${value} <span class="datatype" title="${escapeHtml(words.datatype)}: ` +
        `${escapeHtml(binding.datatype)}">${escapeHtml(shortName(binding.datatype, prefixes))}</span>`;
    }
  }
  // DataTables' own words (the row counts, the pager) in the page's language.
  Object.assign(Yasgui.Yasr.plugins.table.defaults.tableConfig.language, {
    info: words.info,
    infoEmpty: words.info_empty,
    infoFiltered: words.info_filtered,
    zeroRecords: words.zero_records,
    emptyTable: words.empty,
    aria: {
      orderable: words.sort,
      orderableReverse: words.sort,
      orderableRemove: words.sort,
      paginate: {
        first: words.page_first, last: words.page_last,
        next: words.page_next, previous: words.page_previous,
      },
    },
  });
  Yasgui.Yasr.registerPlugin("table", ValueTable);

  const form = document.querySelector(".plain-query");
  const textarea = document.getElementById("plain-query");
  const firstQuery = textarea ? textarea.value : "";
  if (form) form.hidden = true;
  const yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: holder.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
  });

  // Names for YASGUI's controls: [selector, what to set, word]. Applied again whenever YASGUI
  // redraws a part (the table controls are made anew on every draw).
  const NAMES = [
    [".CodeMirror textarea", "aria-label", "editor"],
    ["input.autocomplete", "aria-label", "endpoint"],
    [".clearEndpointBtn", "aria-label title", "clear_endpoint"],
    [".yasqe_share", "aria-label title", "share"],
    [".yasqe_sharePopup input", "aria-label", "share_link"],
    [".yasqe_queryButton", "aria-label title", "run"],
    [".tab input[type=text]", "aria-label", "tab_name"],
    [".yasr_btn.select_table", "aria-label title", "table_view"],
    [".yasr_btn.select_table span", "text", "table"],
    [".yasr_btn.select_response", "aria-label title", "response_view"],
    [".yasr_btn.select_response span", "text", "response"],
    [".yasr_downloadIcon", "aria-label title", "download"],
    [".yasr_external_ref_btn", "aria-label title", "docs"],
    [".tableFilter", "aria-label placeholder", "filter"],
    [".tableSizer", "aria-label", "page_size"],
    [".pageSizerLabel", "text", "page_size"],
    [".tableControls > div:nth-child(1) .label", "text", "simple_view"],
    [".tableControls > div:nth-child(2) .label", "text", "ellipse"],
  ];
  // The request settings menu: its section titles as YASGUI 4.6.2 writes them.
  const MENU = {
    "Request method": "menu.method",
    "Accept Headers": "menu.accept",
    "Ask / Select": "menu.accept_select",
    "Construct / Describe": "menu.accept_graph",
    "Arguments": "menu.arguments",
    "Header Arguments": "menu.headers",
    "Default Graphs": "menu.default_graphs",
    "Named Graphs": "menu.named_graphs",
  };

  function set(element, what, value) {
    if (what === "text") {
      if (element.textContent !== value) element.textContent = value;
    } else if (element.getAttribute(what) !== value) {
      element.setAttribute(what, value);
    }
  }
  function nameMenu() {
    holder.querySelectorAll(".tabMenu label.label").forEach((label) => {
      const key = MENU[label.textContent.trim()];
      if (key) set(label, "text", words[key]);
    });
    holder.querySelectorAll(".tabMenu .selector").forEach((selector) => {
      const label = selector.querySelector("label");
      const select = selector.querySelector("select");
      if (label && select) set(select, "aria-label", label.textContent);
    });
    // Name and value fields under a section title: "<title>: name", "<title>: value".
    holder.querySelectorAll(".tabMenu .textSetting").forEach((section) => {
      const title = section.querySelector("label.label");
      const heading = title ? title.textContent : "";
      section.querySelectorAll("input").forEach((input) => {
        const row = Array.from(input.parentElement.querySelectorAll("input"));
        const part = row.length === 2 ? ": " + words[row[1] === input ? "value" : "name"] : "";
        set(input, "aria-label", heading + part);
      });
    });
  }
  function nameControls() {
    for (const [selector, whats, key] of NAMES) {
      holder.querySelectorAll(selector).forEach((element) => {
        for (const what of whats.split(" ")) set(element, what, words[key]);
      });
    }
    // The editor's scroller takes the focus too, so a long query scrolls by keyboard.
    holder.querySelectorAll(".CodeMirror-scroll").forEach((scroller) => set(scroller, "tabindex", "0"));
    holder.querySelectorAll(".tabContextButton").forEach((button) => {
      const open = button.getAttribute("aria-expanded") === "true";
      set(button, "aria-label", words[open ? "settings_close" : "settings_open"]);
    });
    nameMenu();
    const tab = yasgui.getTab();
    if (tab) countResults(tab.getYasr());
  }
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; nameControls(); });
  }).observe(holder, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded"],
  });

  function countResults(yasr) {
    const chip = yasr.rootEl.querySelector(".yasr_response_chip");
    const bindings = yasr.results && yasr.results.getBindings();
    if (!chip || !bindings) return;
    const seconds = (yasr.results.getResponseTime() || 0) / 1000;
    set(chip, "text", words.results.replace("{count}", bindings.length).replace("{seconds}", seconds));
  }

  const heading = document.getElementById("current-question");
  const tab = yasgui.getTab();
  tab.setQuery(firstQuery);
  nameControls();
  if (holder.dataset.run) tab.query();

  document.querySelectorAll("a.example").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      const current = yasgui.getTab();
      current.setQuery(link.dataset.query);
      current.query();
      document.querySelectorAll("a.example[aria-current]").forEach((a) => a.removeAttribute("aria-current"));
      link.setAttribute("aria-current", "true");
      if (heading) heading.textContent = link.textContent;
      history.replaceState(null, "", link.href);
      holder.scrollIntoView({ block: "nearest" });
    });
  });
})();
