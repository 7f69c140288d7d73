// The app's 3D view: a Streamlit components.v2 module (runs in the app page, not an iframe).
// It draws the scene file with deck.gl (vendored, served by the app) through the layer code
// shared with the standalone export (ok3dLayers), and reports the camera to Python, debounced,
// as the state value "view" so the page can put it in the URL. Python's `data`:
// {scripts: [urls], sceneUrl, view, viewKey, envelopes, basemap, height}.
function loadScript(src) {
  const loaded = window.__ok3dScripts || (window.__ok3dScripts = {});
  if (!loaded[src]) {
    loaded[src] = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error('kan ' + src + ' niet laden'));
      document.head.appendChild(s);
    });
  }
  return loaded[src];
}

const round = (x, n) => Math.round(x * 10 ** n) / 10 ** n;
const camera = v => ({longitude: round(v.longitude, 6), latitude: round(v.latitude, 6),
  zoom: round(v.zoom, 2), pitch: round(v.pitch, 0), bearing: round(v.bearing, 0)});
const near = (a, b) => !!a && !!b && Math.abs(a.longitude - b.longitude) < 2e-6 &&
  Math.abs(a.latitude - b.latitude) < 2e-6 && Math.abs(a.zoom - b.zoom) < 0.02 &&
  Math.abs(a.pitch - b.pitch) < 1 && Math.abs(a.bearing - b.bearing) < 1;

export default function (component) {
  const {data, setStateValue, parentElement} = component;
  let root = parentElement.querySelector('.ok3d-root');
  if (!root) {
    root = document.createElement('div');
    root.className = 'ok3d-root';
    root.style.cssText = 'position:relative;width:100%;height:' + data.height + 'px;' +
      'background:#eef0f2;border-radius:4px;overflow:hidden';
    parentElement.appendChild(root);
  }
  const st = root.__ok3d || (root.__ok3d = {deck: null, sceneUrl: null, scene: null,
    viewKey: null, reported: null, timer: null, firstFrameMs: null, error: null});
  window.__ok3d = st;
  const limits = {maxPitch: 85, minZoom: 12, maxZoom: 21};

  (async () => {
    for (const src of data.scripts) await loadScript(src);
    if (st.sceneUrl !== data.sceneUrl) {
      const r = await fetch(data.sceneUrl);
      if (!r.ok) throw new Error('scène ' + data.sceneUrl + ': HTTP ' + r.status);
      st.scene = await r.json();
      st.sceneUrl = data.sceneUrl;
    }
    const layers = ok3dLayers(st.scene, {envelopes: data.envelopes, basemap: data.basemap});
    const view = Object.assign({}, limits, data.view);
    if (!st.deck) {
      st.viewKey = data.viewKey;
      st.reported = camera(view);  // the camera Python chose: nothing to report until it moves
      st.deck = new deck.Deck({
        parent: root, initialViewState: view, controller: true, layers,
        getTooltip: ok3dTooltip,
        onViewStateChange: ({viewState}) => {
          clearTimeout(st.timer);
          st.timer = setTimeout(() => {
            const v = camera(viewState);
            if (near(v, st.reported)) return;
            st.reported = v;
            setStateValue('view', v);
          }, 600);
        },
        onAfterRender: () => {
          if (st.firstFrameMs === null && st.deck && st.deck.props.layers.every(l => l.isLoaded)) {
            st.firstFrameMs = performance.now();
          }
        }
      });
    } else {
      const props = {layers};
      if (data.viewKey !== st.viewKey) {  // a preset or a link chosen in the page: go there
        st.viewKey = data.viewKey;
        if (!near(data.view, st.reported)) {
          props.initialViewState = Object.assign({transitionDuration: 800}, view);
          st.reported = camera(view);
        }
      }
      st.deck.setProps(props);
    }
  })().catch(e => {
    st.error = String(e && e.message || e);
    root.textContent = 'De 3D-weergave kon niet laden: ' + st.error;
  });

  return () => {  // unmounted (another page): free the WebGL context
    clearTimeout(st.timer);
    if (st.deck && !root.isConnected) { st.deck.finalize(); st.deck = null; }
  };
}
