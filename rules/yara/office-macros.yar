// VBA projects keep an identifier table in the clear inside the OLE2 container (the _VBA_PROJECT
// stream), so auto-run entry points and the calls they make are visible without decompression.
// OOXML files (.docm, .xlsm) hold the same OLE2 vbaProject.bin compressed inside a zip, which this
// rule sees once the archive is unpacked.
rule Assay_Office_AutoExec_Macro
{
    meta:
        author = "Assay"
        description = "OLE2 Office document or VBA project with an auto-run macro that runs programs or creates COM objects"
        verdict = "suspicious"

    strings:
        $ole = { D0 CF 11 E0 A1 B1 1A E1 }
        $auto1 = "AutoOpen" nocase
        $auto2 = "Document_Open" nocase
        $auto3 = "Workbook_Open" nocase
        $auto4 = "Auto_Open" nocase
        $auto5 = "AutoExec" nocase
        $exec1 = "Shell" nocase
        $exec2 = "CreateObject" nocase
        $exec3 = "WScript.Shell" nocase

    condition:
        $ole at 0 and any of ($auto*) and any of ($exec*)
}
