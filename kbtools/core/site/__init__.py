"""Stage 3, plan a site: what each site contains, the pages generated for it, its SEO data."""
