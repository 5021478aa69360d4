"""Documentation formats → Markdown-ish prose.

Every converter returns a list of blocks (strings): `#` headings, paragraphs and
`- ` list items, with *emphasis*, **strong** and `inline code` kept. Code blocks,
tables, navigation, tables of contents, scripts and images are dropped.
`clean_blocks` then filters what is left (letters-to-symbols ratio, boilerplate,
headings with nothing under them) and is applied by the corpus builder to every source.
"""
import html
import re
from html.parser import HTMLParser

# --------------------------------------------------------------------------- HTML

SKIP_TAGS = {"script", "style", "pre", "table", "nav", "header", "footer", "noscript", "svg", "math",
             "form", "button", "select", "textarea", "head", "title", "object", "iframe", "map", "samp"}
# class or id tokens of navigation and other page furniture (exact token match)
SKIP_CLASSES = {"nav", "navheader", "navfooter", "navigation", "toc", "sidebar", "sphinxsidebar", "searchbox",
                "search", "breadcrumb", "breadcrumbs", "menu-bar", "related", "footer", "ft", "hd", "global-nav",
                "headerlink", "toc-backref", "footnotes", "footnote", "indexterm", "index", "lot", "list-of-tables",
                "list-of-figures", "list-of-examples", "legalnotice", "copyright", "revhistory", "authorgroup",
                "toctree-wrapper", "highlight", "programlisting", "screen", "synopsis", "cmdsynopsis", "funcsynopsis",
                "literallayout", "listingblock", "literalblock", "verseblock", "mobile-nav-chapters", "nav-wrapper",
                "nav-chapters", "fa", "sidetoc", "navtable", "menu", "tabs", "codeblock", "codebox",
                "contents", "shortcontents", "region-contents", "element-contents", "short-toc", "mini-toc",
                "nav-panel", "header", "example", "lisp", "smallexample", "format", "display", "verbatim"}
VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "area", "base", "col", "embed", "source", "track", "param"}
BLOCK = {"p", "div", "section", "article", "li", "dd", "dt", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
         "br", "tr", "td", "th", "ul", "ol", "dl", "figure", "figcaption", "caption", "center", "main", "body",
         "hr", "address", "aside", "details", "summary", "html"}
INLINE_MARK = {"em": "*", "i": "*", "cite": "*", "dfn": "*", "var": "*", "strong": "**", "b": "**",
               "code": "`", "tt": "`", "kbd": "`"}
HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _HtmlToBlocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.pieces = []
        self.skip = None  # [tag, depth] of the element being skipped
        self.heading = 0
        self.li_pending = False
        self.marks = []  # (tag, index into pieces)
        self.in_code = 0

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self.pieces)).strip()
        self.pieces = []
        self.marks = [(t, 0) for t, _ in self.marks]
        if not text:
            return
        if self.heading:
            self.blocks.append("#" * self.heading + " " + text)
        elif self.li_pending:
            self.blocks.append("- " + text)
            self.li_pending = False
        else:
            self.blocks.append(text)

    def handle_starttag(self, tag, attrs):
        if self.skip is not None:
            if tag == self.skip[0] and tag not in VOID:
                self.skip[1] += 1
            return
        a = dict(attrs)
        toks = set((a.get("class") or "").split()) | {a.get("id") or ""}
        if tag in SKIP_TAGS or (toks & SKIP_CLASSES) or a.get("role") in ("navigation", "search") \
                or a.get("aria-hidden") == "true" or "display: none" in (a.get("style") or ""):
            if tag not in VOID:
                self.skip = [tag, 1]
            return
        if tag in BLOCK:
            self._flush()
            if tag in HEADING:
                self.heading = HEADING[tag]
            elif tag == "li":
                self.li_pending = True
        elif tag in INLINE_MARK:
            if tag in ("code", "tt", "kbd"):
                self.in_code += 1
            self.marks.append((tag, len(self.pieces)))

    def handle_endtag(self, tag):
        if self.skip is not None:
            if tag == self.skip[0]:
                self.skip[1] -= 1
                if self.skip[1] == 0:
                    self.skip = None
            return
        if tag in BLOCK:
            self._flush()
            if tag in HEADING:
                self.heading = 0
            elif tag == "li":
                self.li_pending = False
        elif tag in INLINE_MARK:
            for k in range(len(self.marks) - 1, -1, -1):
                if self.marks[k][0] == tag:
                    start = self.marks[k][1]
                    del self.marks[k:]
                    inner = "".join(self.pieces[start:])
                    core = re.sub(r"\s+", " ", inner).strip()
                    mark = INLINE_MARK[tag]
                    if tag in ("code", "tt", "kbd"):
                        self.in_code = max(0, self.in_code - 1)
                        if self.in_code:
                            break  # nested code marks: the outer one wraps
                    core = core.strip("*`")
                    if core and not self.heading:
                        lead = " " if inner[:1].isspace() else ""
                        trail = " " if inner[-1:].isspace() else ""
                        self.pieces[start:] = [lead + mark + core + mark + trail]
                    break

    def handle_data(self, data):
        if self.skip is None:
            self.pieces.append(data)

    def close(self):
        super().close()
        self._flush()


def html_blocks(text):
    p = _HtmlToBlocks()
    p.feed(text)
    p.close()
    return p.blocks


# --------------------------------------------------------------------------- reStructuredText

RST_ROLE = re.compile(r":[a-zA-Z:+-]+:`([^`]*)`")
RST_REF = re.compile(r"`([^`<]*?)\s*<[^>]*>`__?")
RST_LIT = re.compile(r"``([^`]+)``")
RST_INTERP = re.compile(r"`([^`]*)`_?_?")
RST_SUBST = re.compile(r"\|([^|\s][^|]*)\|_?")
SKIP_DIRECTIVE = re.compile(r"\.\.\s+(code-block|code|sourcecode|highlight|doctest|testcode|testoutput|testsetup|"
                            r"productionlist|literalinclude|raw|toctree|csv-table|list-table|table|only|index|image|"
                            r"figure|include|kernel-doc|rst-class|tabularcolumns|flat-table|graphviz|math|"
                            r"parsed-literal|digraph|contents|sectionauthor|moduleauthor|highlightlang|"
                            r"default-domain|literal|_)")
# API directives (function, class, method, setting, …) are not skipped: their bodies are prose.
UNDERLINE = re.compile(r"[=\-~^\"'*#+`.:_]{3,}")


def rst_inline(s):
    def role(m):
        t = m.group(1)
        mm = re.match(r"(.*?)\s*<[^>]*>$", t)
        if mm and mm.group(1):
            t = mm.group(1)
        return t.lstrip("~!")
    s = RST_ROLE.sub(role, s)
    s = RST_REF.sub(lambda m: m.group(1), s)
    s = RST_LIT.sub(lambda m: "`" + m.group(1) + "`", s)
    s = RST_INTERP.sub(lambda m: m.group(1), s)
    s = RST_SUBST.sub(lambda m: m.group(1), s)
    s = s.replace("\\ ", "")
    if s.endswith("::"):
        s = s[:-1]
    s = s.replace(" ::", ":")
    return re.sub(r"\s+", " ", s).strip()


def rst_blocks(text):
    """Headings (level by the order the underline styles appear), paragraphs, list items."""
    chunks = re.split(r"\n\s*\n", text.replace("\t", "    "))
    out = []
    styles = []
    skip_indent = None
    for b in chunks:
        lines = [ln.rstrip() for ln in b.split("\n") if ln.strip()]
        if not lines:
            continue
        indent = min(len(ln) - len(ln.lstrip()) for ln in lines)
        if skip_indent is not None:
            if indent > skip_indent:
                continue
            skip_indent = None
        first = lines[0].strip()
        if first.startswith(".."):
            if SKIP_DIRECTIVE.match(first) or re.match(r"\.\.\s+\w[\w:-]*::", first) is None:
                skip_indent = indent  # skipped directive, comment, target or footnote: its body too
            continue  # admonitions (note, warning, seealso): the body paragraphs follow indented
        if lines[-1].rstrip().endswith("::"):
            skip_indent = indent  # the literal block that follows
            if lines[-1].strip() == "::":
                lines = lines[:-1]
                if not lines:
                    continue
        if any(ln.lstrip().startswith((">>>", "$ ", "+-", "+=", "|", "# ")) for ln in lines):
            continue
        # headings: title with an underline (and optional overline)
        ls = [ln.strip() for ln in lines]
        if len(ls) >= 2 and UNDERLINE.fullmatch(ls[0]) and len(ls) >= 3 and UNDERLINE.fullmatch(ls[2]):
            key = "o" + ls[0][0]
            title, rest = ls[1], ls[3:]
        elif len(ls) >= 2 and UNDERLINE.fullmatch(ls[1]) and not UNDERLINE.fullmatch(ls[0]):
            key = ls[1][0]
            title, rest = ls[0], ls[2:]
        else:
            key = None
        if key is not None:
            if key not in styles:
                styles.append(key)
            out.append("#" * min(6, styles.index(key) + 1) + " " + rst_inline(title))
            if rest:
                lines = rest
            else:
                continue
        if UNDERLINE.fullmatch(lines[0].strip()):
            continue
        if lines[0].strip().startswith((":", "-----")) and not re.match(r":[a-z]+:`", lines[0].strip()):
            continue  # field lists, option lists
        # list items: split a block into items at each bullet at the block's indentation
        items, cur = [], []
        for ln in lines:
            s = ln.strip()
            if re.match(r"([*\-+•]|#\.|\d+[.)])\s+\S", s) and len(ln) - len(ln.lstrip()) <= indent + 1:
                if cur:
                    items.append(cur)
                cur = [s]
            else:
                cur.append(s)
        if cur:
            items.append(cur)
        for it in items:
            body = " ".join(it)
            m = re.match(r"([*\-+•]|#\.|\d+[.)])\s+", body)
            if m:
                out.append("- " + rst_inline(body[m.end():]))
            else:
                out.append(rst_inline(body))
    return out


# --------------------------------------------------------------------------- POD (Perl documentation)

POD_ESC = {"lt": "<", "gt": ">", "verbar": "|", "sol": "/", "quot": '"', "amp": "&", "apos": "'"}


def pod_inline(s):
    def fmt(code, t):
        t = t.strip()
        if code == "C":
            return "`" + t + "`" if t else ""
        if code in ("I", "F"):
            return "*" + t + "*" if t else ""
        if code == "B":
            return "**" + t + "**" if t else ""
        if code == "L":
            t = t.split("|", 1)[0] if "|" in t else t
            t = re.sub(r'^"(.*)"$', r"\1", t)
            t = t.replace('/"', " ").replace("/", " ").strip()
            return t
        if code == "E":
            return POD_ESC.get(t, chr(int(t[2:], 16)) if t.lower().startswith("0x") else chr(int(t)) if t.isdigit() else "")
        if code in ("X", "Z"):
            return ""
        return t  # S and anything else
    for _ in range(8):
        n = re.sub(r"([A-Z])<<+\s+(.*?)\s+>>+", lambda m: fmt(m.group(1), m.group(2)), s)
        n = re.sub(r"([A-Z])<([^<>]*)>", lambda m: fmt(m.group(1), m.group(2)), n)
        if n == s:
            break
        s = n
    return re.sub(r"\s+", " ", s).strip()


def pod_sections(text):
    """The POD of a Perl module (.pm): from a line starting a command paragraph to '=cut'."""
    return "\n\n".join(re.findall(r"^=(?!cut\b)[a-z].*?(?=^=cut\b|\Z)", text, re.M | re.S))


def pod_blocks(text):
    out = []
    skip = False
    for para in re.split(r"\n\s*\n", text):
        if not para.strip():
            continue
        if para[:1].isspace():
            continue  # verbatim (code)
        s = para.strip()
        if s.startswith("=begin"):
            skip = True
            continue
        if s.startswith("=end"):
            skip = False
            continue
        if skip:
            continue
        m = re.match(r"=head(\d)\s+(.*)", s, re.S)
        if m:
            out.append("#" * int(m.group(1)) + " " + pod_inline(m.group(2)))
            continue
        m = re.match(r"=item\s*(.*)", s, re.S)
        if m:
            first, _, rest = m.group(1).partition("\n")
            first = first.strip()
            if first in ("*", "") or re.fullmatch(r"\d+\.?", first):
                if rest.strip():
                    out.append("- " + pod_inline(rest))
                else:
                    out.append("\x00item")  # the next paragraph is the item's text
            else:
                out.append("- " + pod_inline(first + " " + rest) if rest.strip() else "**" + pod_inline(first) + "**")
            continue
        if s.startswith("="):
            continue  # =over, =back, =pod, =cut, =for, =encoding
        t = pod_inline(s)
        if out and out[-1] == "\x00item":
            out[-1] = "- " + t
        else:
            out.append(t)
    return [b for b in out if b != "\x00item"]


# --------------------------------------------------------------------------- cleanup

BOILERPLATE = re.compile(
    r"permission is granted to copy|gnu free documentation license|without any warranty|"
    r"this program is free software|all rights reserved|copyright ©|copyright \(c\)|"
    r"licensed under the apache license|creative commons|^table of contents$|^contents$|^index$|"
    r"^(prev|next|up|home|previous|top)\b.*\b(next|up|home)\b|^search$|this page was generated|"
    r"^last updated|^edit this page|^report a bug|^documentation license", re.I)
HEADING_NUM = re.compile(r"^(?:(?:chapter|part|appendix|section)\s+[\dA-Z]+[.:]?\s*|[\dA-Z]{1,2}(?:\.\d+)*\.?\s+(?=[A-Z`*]))", re.I)


def _letters_ratio(s):
    return sum(c.isalpha() for c in s) / max(1, len(s))


def clean_blocks(blocks, min_words=6):
    """Keeps prose: headings (short, wordy), list items (≥ 3 words) and paragraphs (≥ min_words
    words) with mostly letters; drops boilerplate and headings with nothing under them."""
    kept = []
    for b in blocks:
        b = html.unescape(b).replace("\u00a0", " ").replace("\u00b6", "").strip()
        b = re.sub(r"\[\d+\]|\(\s*[,;]?\s*\)", "", b)
        b = re.sub(r"[ \t]+", " ", b).strip()
        if not b or BOILERPLATE.search(b):
            continue
        if b.startswith("#"):
            level, _, title = b.partition(" ")
            title = HEADING_NUM.sub("", title.strip()).strip(" :")
            if BOILERPLATE.search(title):
                continue
            words = title.split()
            if not words or len(words) > 14 or _letters_ratio(title) < 0.6 or not re.match(r"[A-Za-z`*\"']", title):
                continue
            kept.append(level + " " + title)
            continue
        body = b[2:] if b.startswith("- ") else b
        if b.startswith("- ") and re.match(r"[\dA-Z]{1,2}(\.\d+)+\.? ", body):
            continue  # a table-of-contents line
        words = body.split()
        need = 3 if b.startswith("- ") else min_words
        if len(words) < need or _letters_ratio(body) < 0.62 or not re.search(r"[a-z]{2}", body):
            continue
        if len(body) > 40 and not b.startswith("- ") and not re.search(r"[.!?:;)\"'*`]$", body):
            continue  # paragraphs are sentences; fragments (captions, labels) are not
        kept.append(b)
    # headings with no text under them before the next heading of the same or a higher level
    out = []
    for i, b in enumerate(kept):
        if b.startswith("#"):
            level = len(b.split(" ", 1)[0])
            nxt = None
            for c in kept[i + 1:]:
                if not c.startswith("#"):
                    nxt = "text"
                    break
                if len(c.split(" ", 1)[0]) <= level:
                    break
            if nxt is None:
                continue
        out.append(b)
    # consecutive list items stay together; everything else is separated by a blank line
    text = []
    for i, b in enumerate(out):
        if i and not (b.startswith("- ") and out[i - 1].startswith("- ")):
            text.append("")
        text.append(b)
    return "\n".join(text).strip()
