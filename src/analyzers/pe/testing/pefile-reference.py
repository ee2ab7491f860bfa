#!/usr/bin/python3
"""Reference facts from Debian's python3-pefile for the PE analyzer's tests and bench.

Reads file paths, one a line, on stdin; writes one JSON object a line (same order) with the
fields the analyzer reports, computed by pefile, or {"error": ...} when pefile refuses the file.
"""
import hashlib
import json
import sys

import pefile


def rnd(v):
    return round(v, 2)


def facts(path):
    pe = pefile.PE(path, fast_load=False)
    out = {
        "machine_type": pe.FILE_HEADER.Machine,
        "timestamp": pe.FILE_HEADER.TimeDateStamp,
        "entry_point": pe.OPTIONAL_HEADER.AddressOfEntryPoint,
        "imphash": pe.get_imphash(),
        "rich_pe_header_hash": pe.get_rich_header_hash() or None,
        "is_dll": pe.is_dll(),
        "sections": [],
        "import_list": [],
        "exports": [],
        "overlay": None,
        "resources": [],
    }
    for s in pe.sections:
        data = s.get_data()
        out["sections"].append({
            "name": s.Name.rstrip(b"\x00").decode("latin1"),
            "virtual_address": s.VirtualAddress,
            "virtual_size": s.Misc_VirtualSize,
            "raw_size": s.SizeOfRawData,
            "entropy": rnd(s.get_entropy()),
            "md5": hashlib.md5(data).hexdigest(),
        })
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        funcs = []
        for imp in entry.imports:
            name = imp.name
            if name is None:
                name = b"ord%d" % imp.ordinal
            if not name:
                continue
            funcs.append(name.decode("latin1"))
        out["import_list"].append({"library_name": entry.dll.decode("latin1"), "imported_functions": funcs})
    exp = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    if exp is not None:
        out["exports"] = [s.name.decode("latin1") for s in exp.symbols if s.name]
    start = pe.get_overlay_data_start_offset()
    if start is not None:
        data = pe.get_overlay()
        out["overlay"] = {"offset": start, "size": len(data), "md5": hashlib.md5(data).hexdigest()}
    res = getattr(pe, "DIRECTORY_ENTRY_RESOURCE", None)
    if res is not None:
        for t in res.entries:
            tname = pefile.RESOURCE_TYPE.get(t.struct.Id, str(t.struct.Id)) if t.name is None else str(t.name)
            for n in getattr(t, "directory", None).entries if hasattr(t, "directory") else []:
                for l in getattr(n, "directory", None).entries if hasattr(n, "directory") else []:
                    if not hasattr(l, "data"):
                        continue
                    d = pe.get_data(l.data.struct.OffsetToData, l.data.struct.Size)
                    out["resources"].append({"type": tname, "lang_id": l.struct.Id if l.name is None else 0, "sha256": hashlib.sha256(d).hexdigest()})
    return out


for line in sys.stdin:
    path = line.rstrip("\n")
    if not path:
        continue
    try:
        result = facts(path)
    except Exception as e:  # pefile refuses the file: report why, keep going
        result = {"error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
