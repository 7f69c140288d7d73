// The page's language and the last English bits of Streamlit's own chrome, in Dutch: a
// Streamlit components.v2 module (runs in the app page, draws nothing). Streamlit's index.html
// says lang="en" and labels a few of its own buttons in English; the app's text is Dutch, so
// screen readers and browsers must be told so (WCAG 3.1.1).
const LABELS = {
  'Collapse sidebar': 'Zijbalk inklappen', 'Expand sidebar': 'Zijbalk uitklappen',
  'Open sidebar': 'Zijbalk openen', 'Close sidebar': 'Zijbalk sluiten',
  'Main menu': 'Hoofdmenu', 'Close': 'Sluiten', 'Clear all': 'Alles wissen', 'Open': 'Openen',
  'Skip to main content': 'Naar de inhoud', 'Running...': 'Bezig…', 'Stop': 'Stoppen',
};
function translate(root) {
  root.querySelectorAll('[aria-label], [title]').forEach(el => {
    for (const attr of ['aria-label', 'title']) {
      const v = el.getAttribute(attr);
      if (v && LABELS[v]) el.setAttribute(attr, LABELS[v]);
    }
  });
}
export default function (component) {
  const doc = component.parentElement.ownerDocument || document;
  doc.documentElement.lang = 'nl';
  translate(doc);
  if (!window.__okChrome) {
    window.__okChrome = new MutationObserver(() => {
      if (doc.documentElement.lang !== 'nl') doc.documentElement.lang = 'nl';
      translate(doc);
    });
    window.__okChrome.observe(doc.documentElement, {subtree: true, childList: true,
      attributes: true, attributeFilter: ['lang', 'aria-label', 'title']});
  }
}
