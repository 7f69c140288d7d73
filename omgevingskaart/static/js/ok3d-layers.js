/* omgevingskaart 3D: the deck.gl layers of a scene (omgevingskaart.export.html3d.page_data).
 * One source for the standalone HTML page (inlined there) and the app's 3D view (served at
 * /app/static/js/ok3d-layers.js). Needs deck.gl 9 (the global `deck`). EUPL-1.2. */
(function () {
  const MATERIAL = {ambient: 0.45, diffuse: 0.6, shininess: 20, specularColor: [60, 64, 70]};
  const HIGHLIGHT = [255, 140, 0, 220];

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
      out.push(new SolidPolygonLayer({
        id: 'panden', data: D.blocks, coordinateSystem: MO, coordinateOrigin: D.origin,
        positionFormat: 'XY', getPolygon: d => d.p, getElevation: d => d.h,
        getFillColor: d => D.legend[d.k][1], extruded: true, pickable: true,
        autoHighlight: true, highlightColor: HIGHLIGHT, material: MATERIAL}));
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
