// Diagrams offline: mermaid comes from this site, never from a CDN, and only onto the
// pages that have a diagram (it is 3.5 MB of JavaScript to read on every page otherwise).
// It is written into the page while the browser is still reading it, so it is there
// before Material for MkDocs looks for it; Material fetches it from unpkg.com only when
// it finds no `mermaid`.
(function () {
  if (!document.querySelector("pre.mermaid")) {
    return;
  }
  var src = new URL("vendor/mermaid/mermaid.min.js", document.currentScript.src).href;
  document.write('<script src="' + src + '"><\/script>');
})();
