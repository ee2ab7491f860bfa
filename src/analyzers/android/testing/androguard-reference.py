"""Debian's androguard (3.4) on APK files: one JSON line per file with the manifest facts the
android analyzer is compared on. Usage: /usr/bin/python3 androguard-reference.py FILE..."""
import json
import logging
import sys

logging.disable(logging.CRITICAL)
from androguard.core.bytecodes.apk import APK  # noqa: E402

for path in sys.argv[1:]:
    try:
        a = APK(path)
        out = {
            "path": path,
            "package": a.get_package() or "",
            "permissions": a.get_permissions(),
            "activities": a.get_activities(),
            "services": a.get_services(),
            "receivers": a.get_receivers(),
            "providers": a.get_providers(),
            "main_activity": a.get_main_activity(),
            "min_sdk": a.get_min_sdk_version() or "",
            "target_sdk": a.get_target_sdk_version() or "",
            "version_code": a.get_androidversion_code() or "",
            "version_name": a.get_androidversion_name() or "",
            "valid": a.is_valid_APK(),
        }
    except Exception as error:  # a file androguard refuses is reported, not fatal
        out = {"path": path, "error": repr(error)[:200]}
    print(json.dumps(out), flush=True)
