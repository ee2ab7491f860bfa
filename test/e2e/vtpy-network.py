"""Drives Assay's URL, domain and passive-DNS endpoints with the official vt-py client, unchanged. Prints JSON facts."""
import json
import sys

import vt

host, key, url, domain = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
facts = {}
with vt.Client(key, host=host) as client:
    analysis = client.scan_url(url, wait_for_completion=True)
    facts["analysis_status"] = analysis.status
    obj = client.get_object("/urls/{}", vt.url_id(url))
    facts["url_id"] = obj.id
    facts["url"] = obj.url
    facts["last_final_url"] = obj.last_final_url
    facts["title"] = obj.title
    facts["last_analysis_date_type"] = type(obj.last_analysis_date).__name__
    facts["engines"] = sorted(obj.last_analysis_results.keys())
    d = client.get_object("/domains/{}", domain)
    facts["domain_id"] = d.id
    facts["dns_types"] = sorted({r["type"] for r in d.last_dns_records})
    facts["resolutions"] = [r.id for r in client.iterator("/domains/{}/resolutions".format(domain), batch_size=5)]
    try:
        client.get_object("/urls/{}", vt.url_id("http://never-submitted.example/"))
        facts["unknown_error"] = None
    except vt.APIError as e:
        facts["unknown_error"] = e.code
print(json.dumps(facts))
