"""vt-py against Assay's public-tier quota: overall_quotas shape, then QuotaExceededError on the 5th request."""
import json
import sys

import vt

host, key, sha = sys.argv[1], sys.argv[2], sys.argv[3]
facts = {"codes": []}
with vt.Client(key, host=host) as client:
    quotas = client.get_json(f"/users/{key}/overall_quotas")["data"]
    facts["quota_keys"] = sorted(quotas.keys())
    facts["daily"] = quotas["api_requests_daily"]["user"]
    for _ in range(5):
        try:
            client.get_object(f"/files/{sha}")
            facts["codes"].append("ok")
        except vt.APIError as e:
            facts["codes"].append(e.code)
print(json.dumps(facts))
