// Draws the site's Mermaid diagrams with the copy of Mermaid served beside this file
// (assets/vendor/mermaid), so nothing is fetched at view time.
//
// Each diagram is drawn at its natural size (no shrinking to the column width), so its
// labels keep the page's font size; a diagram wider than the column scrolls sideways.
(function () {
  "use strict";

  function scheme() {
    var body = document.body;
    return body && body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "default";
  }

  function draw() {
    if (typeof mermaid === "undefined") {
      return;
    }
    var blocks = document.querySelectorAll("div.mermaid-diagram:not([data-drawn])");
    if (!blocks.length) {
      return;
    }
    mermaid.initialize({
      startOnLoad: false,
      theme: scheme(),
      securityLevel: "strict",
      fontFamily: "inherit",
      themeVariables: { fontSize: "16px" },
      state: { useMaxWidth: false },
      flowchart: { useMaxWidth: false },
      sequence: { useMaxWidth: false },
    });
    Array.prototype.forEach.call(blocks, function (block, i) {
      var source = block.textContent;
      block.setAttribute("data-drawn", "pending");
      mermaid
        .render("mermaid-diagram-" + i, source)
        .then(function (result) {
          block.innerHTML = result.svg;
          block.setAttribute("data-drawn", "yes");
        })
        .catch(function (error) {
          block.setAttribute("data-drawn", "failed");
          block.setAttribute("title", String(error));
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
