/* The YAML editor of the draft pages: CodeMirror on each textarea.yaml, line numbers, no soft wrap,
   each error of the checked text shown under its line (the textarea's data-errors: [[line, words], ...]).
   Without this script the textarea works as it is. */
(function () {
  "use strict";
  if (typeof CodeMirror === "undefined") { return; }
  document.querySelectorAll("textarea.yaml").forEach(function (area) {
    var editor = CodeMirror.fromTextArea(area, {
      mode: "yaml", lineNumbers: true, lineWrapping: false, indentUnit: 2, tabSize: 2,
      extraKeys: { Tab: function (cm) { cm.replaceSelection("  "); } },
      gutters: ["CodeMirror-linenumbers", "yaml-errors"]
    });
    editor.getWrapperElement().setAttribute("aria-label", area.getAttribute("aria-label") || "The document as YAML");
    var errors = [];
    try { errors = JSON.parse(area.getAttribute("data-errors") || "[]"); } catch (e) { errors = []; }
    errors.forEach(function (error) {
      var line = Math.max(0, Math.min(editor.lineCount() - 1, error[0] - 1));
      var note = document.createElement("div");
      note.className = "yaml-error-note";
      note.setAttribute("role", "note");
      note.textContent = "\u25B2 " + error[1];
      editor.addLineWidget(line, note, { coverGutter: false, noHScroll: true });
      editor.addLineClass(line, "background", "yaml-error-line");
      var mark = document.createElement("span");
      mark.className = "yaml-error-mark";
      mark.textContent = "\u25CF";
      mark.title = error[1];
      editor.setGutterMarker(line, "yaml-errors", mark);
    });
    if (errors.length) { editor.scrollIntoView({ line: Math.max(0, errors[0][0] - 1), ch: 0 }, 120); }
    area.form.addEventListener("submit", function () { editor.save(); });
  });
}());
