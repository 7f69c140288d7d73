"""``omgevingskaart export-3d --bbox MINX MINY MAXX MAXY --format glb|html -o FILE``.

Writes the panden of an area (RD New bounding box) as binary glTF for VR headsets, Blender and
Unity (one node per building with its attributes, local metric frame with the RD origin recorded;
see :mod:`omgevingskaart.export.gltf`) or as a standalone HTML page with deck.gl inlined that
works offline (:mod:`omgevingskaart.export.html3d`).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "export-3d", help="3D-export van een gebied: glTF (.glb) of losse HTML-pagina",
        description="Exporteer de panden in een gebied (RD-bbox) als binaire glTF (VR, Blender, "
                    "Unity) of als HTML-pagina die zonder internet werkt.",
    )
    p.add_argument("--bbox", nargs=4, type=float, metavar=("MINX", "MINY", "MAXX", "MAXY"),
                   help="gebied in RD New (EPSG:28992), meter; standaard de hele dataset")
    p.add_argument("--format", choices=("glb", "html"), default=None,
                   help="uitvoerformaat (standaard afgeleid van de extensie van -o)")
    p.add_argument("-o", "--output", type=Path, required=True, help="doelbestand")
    p.add_argument("--dataset", help="dataset (GeoPackage); standaard $OMGEVINGSKAART_DATASET of "
                   "de demo")
    p.add_argument("--lod", choices=("1.2", "2.2"), default="1.2",
                   help="1.2: blokken uit de 3D BAG-hoogtes; 2.2: dakvormen uit 3D BAG CityJSON")
    p.add_argument("--cityjson", type=Path, default=None,
                   help="3D BAG CityJSON(Seq) met LoD 2.2 (standaard: naast de dataset, zie "
                        "docs/3d.md)")
    p.add_argument("--mode", default="hoogte",
                   help="html: kleurmodus (hoogte, bouwjaar, gebruiksdoel, bestemming, "
                        "overschrijding)")
    p.add_argument("--no-envelopes", action="store_true",
                   help="html: geen bouwvlakken tot de maximum bouwhoogte")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..dataset import open_dataset
    from ..errors import QueryError
    from ..viz.town3d import COLOUR_MODES, camera_presets, cityjson_for

    fmt = args.format or args.output.suffix.lower().lstrip(".")
    if fmt not in ("glb", "html"):
        raise QueryError("give --format glb or html (or an output file ending in .glb / .html)")
    if args.mode not in COLOUR_MODES:
        raise QueryError(f"unknown --mode {args.mode!r}; choose from {', '.join(COLOUR_MODES)}")
    bbox = tuple(args.bbox) if args.bbox else None
    if bbox is not None and not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        raise QueryError("--bbox must be MINX MINY MAXX MAXY with MINX < MAXX and MINY < MAXY")
    ds = open_dataset(args.dataset)
    if "pand" not in ds:
        raise QueryError(f"{ds.path}: the dataset has no pand layer")
    cityjson = args.cityjson or (cityjson_for(ds) if args.lod == "2.2" else None)
    if args.lod == "2.2" and cityjson is None:
        raise QueryError("--lod 2.2 needs a 3D BAG CityJSON: give --cityjson FILE")
    if fmt == "glb":
        from ..export.area import area_meshes
        from ..export.gltf import local_origin, write_glb

        area = area_meshes(ds, bbox, lod=args.lod, cityjson=cityjson)
        if not len(area.mesh):
            raise QueryError("no building with heights in this area")
        origin = local_origin(area.mesh)
        data = write_glb(area.mesh, args.output, attributes=area.attributes, origin=origin,
                         title=f"{ds.meta.get('titel', 'omgevingskaart')} 3D")
        print(f"{args.output}: {len(area.mesh)} panden ({area.lod_counts}), "
              f"{len(area.mesh.triangles)} driehoeken, {len(data) / 1e6:.2f} MB; "
              f"oorsprong RD/NAP {origin[0]:.0f} {origin[1]:.0f} {origin[2]:.0f} (EPSG:7415)"
              + (f"; {len(area.skipped)} panden zonder hoogte overgeslagen" if area.skipped else ""))
        return 0
    from ..export.html3d import write_page
    from ..viz.mesh import from_building_meshes
    from ..viz.town3d import overview_view, scene_data, select_panden

    panden = select_panden(ds, bbox=bbox)
    if not len(panden):
        raise QueryError("no building in this area")
    meshes = None
    if args.lod == "2.2" and cityjson is not None:
        from ..io.cityjson import read_cityjson_surfaces

        meshes = from_building_meshes(read_cityjson_surfaces(cityjson, lod="2.2").values())
    scene = scene_data(ds, panden, mode=args.mode, envelopes=not args.no_envelopes, lod22=meshes)
    presets = camera_presets(ds, panden if bbox is not None else None)
    view = overview_view(ds, panden)
    notice = "Synthetische demogegevens." if ds.is_synthetic else ""
    path = write_page(args.output, scene, view, presets=presets, notice=notice,
                      title=f"{ds.meta.get('titel', '3D')}")
    print(f"{path}: {scene.buildings} panden, {path.stat().st_size / 1e6:.2f} MB (deck.gl "
          "ingebouwd, werkt zonder internet)")
    return 0
