"""Drives Assay with the official VirusTotal Python client (vt-py), unchanged. Prints JSON facts."""
import io
import json
import sys

import vt

host, key, unknown = sys.argv[1], sys.argv[2], sys.argv[3]
eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
facts = {}
with vt.Client(key, host=host) as client:
    f = io.BytesIO(eicar)
    f.name = "eicar.com"
    analysis = client.scan_file(f, wait_for_completion=True)
    facts["analysis_status"] = analysis.status
    facts["analysis_stats"] = dict(analysis.stats)
    import hashlib
    sha = hashlib.sha256(eicar).hexdigest()
    obj = client.get_object(f"/files/{sha}")
    facts["file_id"] = obj.id
    facts["clamav"] = obj.last_analysis_results["ClamAV"]["category"]
    facts["yara"] = obj.last_analysis_results["YARA"]["category"]
    facts["last_analysis_date_type"] = type(obj.last_analysis_date).__name__
    try:
        client.get_object(f"/files/{unknown}")
        facts["unknown_error"] = None
    except vt.APIError as e:
        facts["unknown_error"] = e.code
    meta = client.get_json("/metadata")
    facts["engines"] = sorted(meta["data"]["engines"].keys())
    facts["analyses_iterated"] = len(list(client.iterator(f"/files/{sha}/analyses", batch_size=1, limit=5)))
print(json.dumps(facts))
