"""Reports: sales by day, product or category, top products, inventory value and low stock."""
