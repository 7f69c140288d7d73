/* omgevingskaart 3D: the deck.gl layers of a scene (omgevingskaart.export.html3d.page_data).
 * One source for the standalone HTML page (inlined there) and the app's 3D view (served at
 * /app/static/js/ok3d-layers.js). Needs deck.gl 9 (the global `deck`). EUPL-1.2. */
(function () {
  const HIGHLIGHT = [255, 140, 0, 220];

  /* LoD 1.2 blocks as one indexed triangle mesh: per footprint vertex one vertex on the ground
   * and one at roof height (shared by the walls and the roof), the roof fanned from the first
   * vertex (convex footprints) or from the scene's earcut triangles ("r"), flat shading from
   * screen-space derivatives. deck.gl's extruded SolidPolygonLayer draws each wall segment as an
   * instance with vertices of its own: about 3.7 times as many vertex shader runs; measured
   * (benchmarks/bench_3d.py) in software WebGL, where vertices set the frame time, 0.6 against
   * 2.3 s per frame for 25,000 buildings. Picking and auto-highlight work per building (every
   * vertex of a building carries its picking colour). */
  function blockMesh(D) {
    if (D.__mesh) return D.__mesh;
    let nv = 0, ni = 0;
    for (const b of D.blocks) {
      const n = (b.p.positions || b.p).length / 2;
      nv += 2 * n;
      ni += 6 * n + (b.r ? b.r.length : 3 * (n - 2));
    }
    const pos = new Float32Array(nv * 3), col = new Uint8Array(nv * 4);
    const pick = new Float32Array(nv * 3), idx = new Uint32Array(ni);
    let v = 0, t = 0;
    D.blocks.forEach((b, bi) => {
      const p = b.p.positions || b.p, n = p.length / 2, h = b.h, c = D.legend[b.k][1];
      const id = bi + 1, base = v;
      for (let i = 0; i < n; i++) {
        for (let z = 0; z < 2; z++) {
          pos[3 * v] = p[2 * i]; pos[3 * v + 1] = p[2 * i + 1]; pos[3 * v + 2] = z ? h : 0;
          col[4 * v] = c[0]; col[4 * v + 1] = c[1]; col[4 * v + 2] = c[2]; col[4 * v + 3] = 255;
          pick[3 * v] = id & 255; pick[3 * v + 1] = (id >> 8) & 255; pick[3 * v + 2] = (id >> 16) & 255;
          v++;
        }
      }
      if (b.r) {
        for (const k of b.r) idx[t++] = base + 2 * k + 1;
      } else {
        for (let i = 1; i < n - 1; i++) {
          idx[t++] = base + 1; idx[t++] = base + 2 * i + 1; idx[t++] = base + 2 * i + 3;
        }
      }
      const starts = [0].concat((b.p.holeIndices || []).map(x => x / 2)).concat([n]);
      for (let r = 0; r + 1 < starts.length; r++) {
        const s0 = starts[r], s1 = starts[r + 1];
        for (let i = s0; i < s1; i++) {
          const j = i + 1 < s1 ? i + 1 : s0;
          const a0 = base + 2 * i, b0 = base + 2 * j;
          idx[t++] = a0; idx[t++] = b0; idx[t++] = b0 + 1;
          idx[t++] = a0; idx[t++] = b0 + 1; idx[t++] = a0 + 1;
        }
      }
    });
    D.__mesh = {positions: pos, colors: col, pickingColors: pick, indices: idx.subarray(0, t)};
    return D.__mesh;
  }

  const BLOCK_VS = `#version 300 es
#define SHADER_NAME ok3d-block-vs
in vec3 positions;
in vec4 colors;
in vec3 pickingColors;
out vec4 vColor;
out vec3 vPosition;
void main(void) {
  geometry.worldPosition = positions;
  geometry.pickingColor = pickingColors;
  gl_Position = project_position_to_clipspace(positions, vec3(0.0), vec3(0.0), geometry.position);
  vPosition = geometry.position.xyz;
  vColor = colors;
  picking_setPickingColor(pickingColors);
}`;
  const BLOCK_FS = `#version 300 es
#define SHADER_NAME ok3d-block-fs
precision highp float;
in vec4 vColor;
in vec3 vPosition;
out vec4 fragColor;
void main(void) {
  vec3 normal = normalize(cross(dFdx(vPosition), dFdy(vPosition)));
  float light = 0.55 + 0.45 * abs(dot(normal, normalize(vec3(0.35, 0.55, 0.75))));
  fragColor = vec4(vColor.rgb * light, vColor.a * layer.opacity);
  fragColor = picking_filterColor(fragColor);
}`;

  let BlockLayer = null;
  function blockLayerClass() {
    if (BlockLayer) return BlockLayer;
    BlockLayer = class extends deck.Layer {
      getShaders() {
        return super.getShaders({vs: BLOCK_VS, fs: BLOCK_FS, modules: [deck.project32, deck.picking]});
      }
      initializeState() {}
      updateState(params) {
        super.updateState(params);
        if (params.props.mesh !== params.oldProps.mesh || params.changeFlags.extensionsChanged
            || !this.state.model) {
          if (this.state.model) this.state.model.destroy();
          const m = this.props.mesh;
          this.state.model = new luma.Model(this.context.device, Object.assign(this.getShaders(), {
            id: this.props.id, isInstanced: false,
            geometry: new luma.Geometry({topology: 'triangle-list', attributes: {
              positions: {size: 3, value: m.positions},
              colors: {size: 4, value: m.colors, normalized: true},
              pickingColors: {size: 3, value: m.pickingColors}},
              indices: {size: 1, value: m.indices}})}));
        }
      }
      draw() { this.state.model.draw(this.context.renderPass); }
      getPickingInfo({info}) {
        if (info.index >= 0) info.object = this.props.data[info.index];
        return info;
      }
    };
    BlockLayer.layerName = 'Ok3dBlockLayer';
    return BlockLayer;
  }

  /* D: the scene JSON; opts: {envelopes: bool, basemap: a raster tile URL template or null}. */
  function ok3dLayers(D, opts) {
    const {SolidPolygonLayer, PolygonLayer, TileLayer, BitmapLayer, COORDINATE_SYSTEM} = deck;
    const MO = COORDINATE_SYSTEM.METER_OFFSETS;
    const out = [];
    if (opts.basemap) {  // only on request: the tiles come from a third party
      out.push(new TileLayer({
        id: 'basemap', data: opts.basemap, minZoom: 0, maxZoom: 19, tileSize: 256,
        renderSubLayers: p => {
          const [[west, south], [east, north]] = p.tile.boundingBox;
          return new BitmapLayer(p, {data: null, image: p.data, bounds: [west, south, east, north]});
        }}));
    }
    if (D.plans && D.plans.length) {
      out.push(new PolygonLayer({
        id: 'bestemmingen', data: D.plans, getPolygon: d => d.polygon, getFillColor: d => d.kleur,
        getLineColor: [90, 90, 90, 160], lineWidthMinPixels: 1, stroked: true, extruded: false,
        pickable: false}));
    }
    if (D.blocks.length) {
      const Blocks = blockLayerClass();
      out.push(new Blocks({
        id: 'panden', data: D.blocks, mesh: blockMesh(D), coordinateSystem: MO,
        coordinateOrigin: D.origin, pickable: true, autoHighlight: true,
        highlightColor: HIGHLIGHT}));
    }
    if (D.lod22 && D.lod22.length) {
      // LoD 2.2 faces carry their own flat-shaded colour (see town3d.shade): no lighting
      out.push(new SolidPolygonLayer({
        id: 'lod22', data: D.lod22, coordinateSystem: MO, coordinateOrigin: D.origin,
        positionFormat: 'XYZ', getPolygon: d => d.p, getFillColor: d => d.c,
        extruded: false, _full3d: true, pickable: true, autoHighlight: true,
        highlightColor: HIGHLIGHT, material: false}));
    }
    if (D.envelopes.length) {
      out.push(new SolidPolygonLayer({
        id: 'bouwvlak-envelop', data: D.envelopes, visible: !!opts.envelopes,
        coordinateSystem: MO, coordinateOrigin: D.origin, positionFormat: 'XY',
        getPolygon: d => d.p, getElevation: d => d.h, getFillColor: D.envelopeColour,
        getLineColor: [200, 120, 0, 160], extruded: true, wireframe: true, pickable: true,
        parameters: {depthWriteEnabled: false}}));
    }
    return out;
  }

  function ok3dTooltip({object}) {
    return object && object.t ? {text: object.t, style: {backgroundColor: '#263238',
      color: 'white', fontSize: '12px', whiteSpace: 'pre-line'}} : null;
  }

  window.ok3dLayers = ok3dLayers;
  window.ok3dTooltip = ok3dTooltip;
})();
