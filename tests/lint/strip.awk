# C source with comments removed and string literals emptied ("" stays),
# one output line per input line (so FILE:LINE still holds). Character
# literals are kept: rules look for '_'. Used by tests/lint/dupscan.sh.
{
    line = $0
    n = length(line)
    out = ""
    i = 1
    instr = 0
    while (i <= n) {
        c = substr(line, i, 1)
        d = substr(line, i, 2)
        if (incom) {
            if (d == "*/") {
                incom = 0
                i += 2
            } else {
                i++
            }
            continue
        }
        if (instr) {
            if (c == "\\") {
                i += 2
                continue
            }
            if (c == "\"") {
                instr = 0
                out = out c
            }
            i++
            continue
        }
        if (d == "/*") {
            incom = 1
            out = out " "
            i += 2
            continue
        }
        if (d == "//")
            break
        if (c == "\"") {
            instr = 1
            out = out c
            i++
            continue
        }
        if (c == "'") {
            j = i + 1
            while (j <= n && substr(line, j, 1) != "'") {
                if (substr(line, j, 1) == "\\")
                    j++
                j++
            }
            out = out substr(line, i, j - i + 1)
            i = j + 1
            continue
        }
        out = out c
        i++
    }
    print out
}
