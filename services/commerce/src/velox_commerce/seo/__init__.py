"""SEO: the sitemap of a store's storefront."""
