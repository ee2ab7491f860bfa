// The EICAR anti-malware test file (eicar.org): harmless by design, detected by every engine.
// The two halves are matched separately so this file never contains the whole test string.
rule Assay_EICAR_Test_File
{
    meta:
        author = "Assay"
        description = "EICAR anti-malware test file"
        verdict = "malicious"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"

    strings:
        $head = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$"
        $name = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"

    condition:
        // The standard allows trailing whitespace up to 128 bytes in all.
        $head at 0 and $name at 28 and filesize <= 128
}
