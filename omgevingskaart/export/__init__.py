"""Exports of the 3D town centre: binary glTF (:mod:`.gltf`) and standalone HTML (:mod:`.html3d`)."""
