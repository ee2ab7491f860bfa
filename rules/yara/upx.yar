import "pe"

// UPX is a legitimate packer, but packing hides a PE's code from static analysis: suspicious, not malicious.
rule Assay_UPX_Packed_PE
{
    meta:
        author = "Assay"
        description = "PE executable packed with UPX (UPX0/UPX1 sections or the UPX! header)"
        verdict = "suspicious"

    strings:
        $magic = "UPX!"

    condition:
        pe.is_pe and (
            for any section in pe.sections : (section.name == "UPX0" or section.name == "UPX1" or section.name == "UPX2")
            or $magic in (0 .. 0x400)
        )
}
