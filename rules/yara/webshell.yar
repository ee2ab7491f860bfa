// One-line web shells: request input handed straight to a code or command evaluator.
rule Assay_PHP_Webshell_Request_Eval
{
    meta:
        author = "Assay"
        description = "PHP web shell: eval/assert/system and friends called on $_POST, $_GET, $_REQUEST or $_COOKIE"
        verdict = "malicious"

    strings:
        $php = "<?"
        $call = /(eval|assert|system|exec|shell_exec|passthru|popen|proc_open|create_function)\s*\(\s*(@\s*)?(base64_decode\s*\(\s*|stripslashes\s*\(\s*|str_rot13\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase

    condition:
        $php and $call
}

rule Assay_ASP_Webshell_Request_Eval
{
    meta:
        author = "Assay"
        description = "Classic ASP web shell: Eval/Execute called on Request input"
        verdict = "malicious"

    strings:
        $asp = "<%"
        $call = /(eval|execute(global)?)\s*\(?\s*request(\.form|\.querystring|\.item)?\s*\(/ nocase

    condition:
        $asp and $call
}
