#!/usr/bin/env python3
"""Generates the same N Chinese markdown pages (headings, tables, lists) twice: as a jxjy content
folder and as a Hugo site, for scripts/bench-build.sh. Usage: gen-bench-site.py N OUTDIR"""
import os
import random
import shutil
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20201)
WORDS = "专业技术人员 继续教育 公需科目 专业科目 学时 登记 审核 补学 备案 培训计划 网络学习 面授 知识产权 创新创业 生态保护 高质量发展 乡村振兴 电子证书 年度考核 职称评聘".split()

def sentence():
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "。"

def page(i):
    lines = [f"## 第{i}节 {rng.choice(WORDS)}概述", ""]
    for _ in range(3):
        # Two source lines per paragraph: a soft break between Chinese characters.
        lines += [sentence() + sentence(), sentence(), ""]
    lines += ["### 要点", ""]
    lines += [f"- {sentence()}" for _ in range(5)] + [""]
    lines += ["| 项目 | 学时 | 说明 |", "|---|---|---|"]
    lines += [f"| {rng.choice(WORDS)} | {rng.randint(1, 60)} | {sentence()} |" for _ in range(6)] + [""]
    lines += ["### 说明", "", sentence() + sentence(), ""]
    return "\n".join(lines)

jx, hg = os.path.join(out, "jxjy"), os.path.join(out, "hugo")
shutil.rmtree(out, ignore_errors=True)
os.makedirs(os.path.join(jx, "2020", "pages"))
os.makedirs(os.path.join(hg, "content", "pages"))
os.makedirs(os.path.join(hg, "layouts", "_default"))
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shutil.copy(os.path.join(root, "content", "2020", "policy.toml"), os.path.join(jx, "2020", "policy.toml"))
with open(os.path.join(jx, "site.toml"), "w") as f:
    f.write('title = "基准"\nbase_url = "https://bench.example.com/"\nyear = 2020\n')
with open(os.path.join(hg, "hugo.toml"), "w") as f:
    f.write('baseURL = "https://bench.example.com/"\ntitle = "基准"\nlanguageCode = "zh-CN"\nhasCJKLanguage = true\n'
            'disableKinds = ["taxonomy", "term", "RSS"]\n[markup.goldmark.renderer]\nunsafe = true\n')
# Hugo templates doing the same work as jxjy's page template: a layout, a TOC, the content.
with open(os.path.join(hg, "layouts", "_default", "baseof.html"), "w") as f:
    f.write('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
            '<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head><body><header>{{ .Site.Title }}</header>'
            '<main>{{ block "main" . }}{{ end }}</main></body></html>')
with open(os.path.join(hg, "layouts", "_default", "single.html"), "w") as f:
    f.write('{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</article>{{ end }}')
with open(os.path.join(hg, "layouts", "_default", "list.html"), "w") as f:
    f.write('{{ define "main" }}<h1>{{ .Title }}</h1>{{ end }}')
with open(os.path.join(hg, "layouts", "index.html"), "w") as f:
    f.write('<!doctype html><title>{{ .Site.Title }}</title>')
for i in range(n):
    body = page(i)
    front = f'+++\ntitle = "第{i}页 {rng.choice(WORDS)}"\n+++\n\n'
    for base in (os.path.join(jx, "2020", "pages"), os.path.join(hg, "content", "pages")):
        with open(os.path.join(base, f"p{i:05d}.md"), "w") as f:
            f.write(front + body)
