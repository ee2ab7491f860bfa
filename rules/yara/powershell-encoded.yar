// PowerShell accepts any unambiguous prefix of -EncodedCommand (-e, -ec, -en, -enc, ...) and "/"
// as well as "-". Administrators rarely need it; droppers use it to hide the command line.
rule Assay_PowerShell_EncodedCommand
{
    meta:
        author = "Assay"
        description = "PowerShell started with an encoded command (-enc / -EncodedCommand and a long base64 argument)"
        verdict = "suspicious"

    strings:
        $ps = /(powershell|pwsh)(\.exe)?/ nocase
        $enc = /\s[-\/](e|ec|en|enc[a-z]{0,11})\s+['"]?[A-Za-z0-9+\/]{40,}={0,2}/ nocase

    condition:
        $ps and $enc
}
